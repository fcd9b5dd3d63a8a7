//! Every string the UI shows, in zh-CN (default) and English.
//!
//! Messages are an enum, so a missing translation is a compile error rather than a
//! blank button at the gate.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "zh-CN" => Some(Lang::ZhCn),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    AppName,
    NavCheckIn,
    NavHistory,
    NavSettings,
    Post,
    Arrival,
    Departure,
    Officer,
    Car,
    Lights,
    Note,
    NotePlaceholder,
    CheckInButton,
    Saving,
    Saved,
    SaveFailed,
    Pending,
    SyncNow,
    SyncOffline,
    SyncSyncing,
    SyncSynced,
    SyncError,
    OnPhoneOnly,
    OnServer,
    Rejected,
    NoRecords,
    OfficerName,
    OfficerNamePlaceholder,
    Language,
    SaveSettings,
    SettingsSaved,
    DeviceId,
    QuotaFull,
    Quarantined,
    UpdateAvailable,
    UpdateNow,
    StorageUnavailable,
    ReceivedAt,
    Dismiss,
    HeldInMemory,
    NotCrashSafe,
    JournalUnreadable,
    NavToday,
    WindowMorning,
    WindowNoon,
    WindowAfternoon,
    StatusUpcoming,
    StatusOnDuty,
    StatusCovered,
    StatusLate,
    StatusPartial,
    StatusMissed,
    StatusOverdue,
    DueIn,
    OnPostBy,
    TodayRate,
    NoWindowsToday,
    OverdueAlert,
    MyPosts,
    MyPostsHint,
    NavGate,
    GateCodeTitle,
    GateCodeHint,
    GateCodeNextIn,
    GateCodeNeedsNetwork,
    GateCode,
    GateCodePlaceholder,
    GateCodeInvalid,
    ProofVerified,
    ProofUnverified,
    ProofFailed,
    Located,
}

/// The text of `msg` in `lang`.
pub fn t(lang: Lang, msg: Msg) -> &'static str {
    use Msg::*;
    let (zh, en) = match msg {
        AppName => ("护学岗巡查", "Gatewatch"),
        NavCheckIn => ("签到", "Check in"),
        NavHistory => ("记录", "History"),
        NavSettings => ("设置", "Settings"),
        Post => ("岗位", "Post"),
        Arrival => ("到岗", "Arrival"),
        Departure => ("离岗", "Departure"),
        Officer => ("见警察", "Officer"),
        Car => ("见警车", "Car"),
        Lights => ("见警灯", "Lights"),
        Note => ("备注", "Note"),
        NotePlaceholder => ("可选", "Optional"),
        CheckInButton => ("到岗签到", "Check in"),
        Saving => ("正在保存…", "Saving…"),
        Saved => ("已保存", "Saved"),
        SaveFailed => ("保存失败", "Save failed"),
        Pending => ("待上传", "Pending"),
        SyncNow => ("立即同步", "Sync now"),
        SyncOffline => ("离线", "Offline"),
        SyncSyncing => ("同步中", "Syncing"),
        SyncSynced => ("已同步", "Synced"),
        SyncError => ("同步出错", "Sync error"),
        OnPhoneOnly => ("仅在本机", "On this phone only"),
        OnServer => ("已上传", "On server"),
        Rejected => ("服务器拒收", "Rejected by server"),
        NoRecords => ("还没有签到记录", "No check-ins yet"),
        OfficerName => ("民警姓名", "Officer name"),
        OfficerNamePlaceholder => ("例如：张警官", "e.g. Officer Zhang"),
        Language => ("语言", "Language"),
        SaveSettings => ("保存设置", "Save settings"),
        SettingsSaved => ("设置已保存", "Settings saved"),
        DeviceId => ("设备编号", "Device id"),
        QuotaFull => (
            "手机存储已满：新记录暂存在内存中并会重试，请尽快联网同步。",
            "Phone storage is full: the new record is held in memory and retried. Sync as soon as you can.",
        ),
        Quarantined => (
            "有无法读取的本地数据，已另存保留，未删除：",
            "Some local data could not be read; it was set aside, not deleted:",
        ),
        UpdateAvailable => ("有新版本可用", "A new version is available"),
        UpdateNow => ("更新", "Update"),
        StorageUnavailable => (
            "无法使用本地存储（可能是隐私模式）：记录只保存在本页面中。",
            "Local storage is unavailable (private mode?): records live only in this page.",
        ),
        ReceivedAt => ("服务器接收", "Server received"),
        Dismiss => ("知道了", "Dismiss"),
        HeldInMemory => (
            "⚠ 手机存储已满：记录暂存在内存中，联网后会上传。请勿关闭页面。",
            "⚠ Phone storage is full: the record is held in memory and will sync. Keep this page open.",
        ),
        NotCrashSafe => (
            "此浏览器无法使用持久日志：刚保存的记录在浏览器崩溃时可能丢失，请尽快同步。",
            "This browser has no durable journal: a record saved just before a crash could be lost. Sync soon.",
        ),
        JournalUnreadable => ("有无法读取的日志条目（已保留）：", "Unreadable journal entries (kept):"),
        NavToday => ("今日", "Today"),
        WindowMorning => ("早高峰", "Morning"),
        WindowNoon => ("午间", "Noon"),
        WindowAfternoon => ("晚高峰", "Afternoon"),
        StatusUpcoming => ("待到岗", "Upcoming"),
        StatusOnDuty => ("执勤中", "On duty"),
        StatusCovered => ("已落实", "Covered"),
        StatusLate => ("迟到", "Late"),
        StatusPartial => ("不完整", "Partial"),
        StatusMissed => ("未落实", "Missed"),
        StatusOverdue => ("已过到岗时间", "Overdue"),
        DueIn => ("距到岗", "Due in"),
        OnPostBy => ("到岗时限", "On post by"),
        TodayRate => ("今日落实率", "Today's coverage"),
        NoWindowsToday => ("今天没有需要执勤的时段", "No duty windows today"),
        OverdueAlert => ("已过到岗时间，尚未签到：", "Past due with no check-in:"),
        MyPosts => ("我的岗位", "My posts"),
        MyPostsHint => ("不选则显示全部岗位", "None marked: all posts are shown"),
        NavGate => ("岗位码", "Gate code"),
        GateCodeTitle => ("岗位动态码", "Gate code"),
        GateCodeHint => (
            "请民警扫描二维码或输入6位数字，证明本人到岗。",
            "Officers scan the QR code or type the 6 digits to prove they were here.",
        ),
        GateCodeNextIn => ("秒后更新", "s until the next code"),
        GateCodeNeedsNetwork => (
            "首次显示此岗位的动态码需要联网一次。",
            "Showing this post's code needs the network once.",
        ),
        GateCode => ("岗位码", "Gate code"),
        GateCodePlaceholder => ("可选：6位数字", "Optional: 6 digits"),
        GateCodeInvalid => ("岗位码应为6位数字", "A gate code is 6 digits"),
        ProofVerified => ("已验证到岗", "Presence verified"),
        ProofUnverified => ("未验证", "Not verified"),
        ProofFailed => ("岗位码不符", "Gate code did not match"),
        Located => ("已定位", "Located"),
    };
    match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    }
}
