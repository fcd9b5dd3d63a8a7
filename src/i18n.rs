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
    NavIncident,
    Category,
    CatBullying,
    CatFraud,
    CatTraffic,
    CatSuspicious,
    CatOther,
    SeverityLabel,
    SevLow,
    SevMedium,
    SevHigh,
    Description,
    DescriptionPlaceholder,
    People,
    FollowUpLabel,
    FuOpen,
    FuHandedOver,
    FuClosed,
    ReportIncident,
    DescriptionRequired,
    Edit,
    Void,
    VoidReason,
    ConfirmVoid,
    Voided,
    Edited,
    Cancel,
    SaveChanges,
    FilterFrom,
    FilterTo,
    AllPosts,
    AllKinds,
    KindCheckIns,
    KindIncidents,
    ExportCheckIns,
    ExportIncidents,
    ExportCoverage,
    WeeklyChart,
    RateWeek,
    Rate30,
    MySchools,
    CityWide,
    Scan,
    StopScan,
    ScanFailed,
    NavTeam,
    NewTeam,
    TeamName,
    School,
    NoTeam,
    Roster,
    AddMember,
    Name,
    Phone,
    RoleLabel,
    RoleLead,
    RoleDeputy,
    RoleMember,
    MemberStatusLabel,
    MemberActive,
    MemberPaused,
    MemberLeft,
    Joined,
    Save,
    NameRequired,
    PhoneInvalid,
    StartSession,
    ActivityLabel,
    ActPatrol,
    ActAntiFraud,
    ActTraffic,
    ActGate,
    ActOther,
    Place,
    PlacePlaceholder,
    NoPost,
    Audience,
    EndSession,
    SessionRunning,
    LeftEarly,
    Late,
    AddSubstitute,
    Substitute,
    AutoClosed,
    ConfirmEnd,
    Sessions,
    NoSessions,
    Approve,
    Reject,
    ApproveAll,
    ApprovedL,
    RejectedL,
    PendingL,
    HoursLocked,
    MonthlyReport,
    Month,
    Hours,
    SessionCount,
    ApprovedHours,
    PendingHours,
    AudienceTotal,
    HoursPerMonth,
    ExportHours,
    Print,
    TeamTotal,
    ToConfirm,
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
        NavIncident => ("事件", "Incident"),
        Category => ("类型", "Type"),
        CatBullying => ("校园欺凌", "Campus bullying"),
        CatFraud => ("诈骗", "Fraud"),
        CatTraffic => ("交通", "Traffic"),
        CatSuspicious => ("可疑人员", "Suspicious person"),
        CatOther => ("其他", "Other"),
        SeverityLabel => ("严重程度", "Severity"),
        SevLow => ("一般", "Low"),
        SevMedium => ("较重", "Medium"),
        SevHigh => ("严重", "High"),
        Description => ("经过", "What happened"),
        DescriptionPlaceholder => ("必填：时间、地点、经过", "Required: when, where, what"),
        People => ("涉及人员", "People involved"),
        FollowUpLabel => ("处理状态", "Follow-up"),
        FuOpen => ("待处理", "Open"),
        FuHandedOver => ("已移交", "Handed over"),
        FuClosed => ("已办结", "Closed"),
        ReportIncident => ("提交事件", "Report incident"),
        DescriptionRequired => ("请填写经过", "Describe what happened"),
        Edit => ("更正", "Correct"),
        Void => ("作废", "Void"),
        VoidReason => ("作废原因", "Reason for voiding"),
        ConfirmVoid => ("确认作废", "Void it"),
        Voided => ("已作废", "Voided"),
        Edited => ("已更正", "Corrected"),
        Cancel => ("取消", "Cancel"),
        SaveChanges => ("保存更正", "Save correction"),
        FilterFrom => ("从", "From"),
        FilterTo => ("到", "To"),
        AllPosts => ("全部岗位", "All posts"),
        AllKinds => ("全部类型", "All kinds"),
        KindCheckIns => ("签到", "Check-ins"),
        KindIncidents => ("事件", "Incidents"),
        ExportCheckIns => ("导出签到", "Check-ins CSV"),
        ExportIncidents => ("导出事件", "Incidents CSV"),
        ExportCoverage => ("导出落实率", "Coverage CSV"),
        WeeklyChart => ("每周落实率", "Coverage by week"),
        RateWeek => ("本周", "This week"),
        Rate30 => ("近30天", "Last 30 days"),
        MySchools => ("我的学校", "My schools"),
        CityWide => ("全市", "City-wide"),
        Scan => ("扫码", "Scan"),
        StopScan => ("停止扫码", "Stop scanning"),
        ScanFailed => ("无法打开相机", "Camera unavailable"),
        NavTeam => ("队伍", "Team"),
        NewTeam => ("新建队伍", "New team"),
        TeamName => ("队伍名称", "Team name"),
        School => ("学校", "School"),
        NoTeam => ("本机还没有志愿者队伍：新建一个，或联网同步。", "No volunteer team on this phone yet: create one, or sync online."),
        Roster => ("名册", "Roster"),
        AddMember => ("添加队员", "Add member"),
        Name => ("姓名", "Name"),
        Phone => ("电话", "Phone"),
        RoleLabel => ("职务", "Role"),
        RoleLead => ("队长", "Lead"),
        RoleDeputy => ("副队长", "Deputy"),
        RoleMember => ("队员", "Member"),
        MemberStatusLabel => ("状态", "Status"),
        MemberActive => ("在队", "Active"),
        MemberPaused => ("暂停", "Paused"),
        MemberLeft => ("已离队", "Left"),
        Joined => ("入队日期", "Joined"),
        Save => ("保存", "Save"),
        NameRequired => ("请填写姓名或名称（最多40字）", "Enter a name (up to 40 characters)"),
        PhoneInvalid => ("电话只能包含数字、空格、+ 和 -（最多20位）", "A phone number is up to 20 digits, spaces, + or -"),
        StartSession => ("开始值勤", "Start session"),
        ActivityLabel => ("活动类型", "Activity"),
        ActPatrol => ("巡逻", "Patrol"),
        ActAntiFraud => ("反诈宣传", "Anti-fraud talk"),
        ActTraffic => ("交通疏导", "Traffic guidance"),
        ActGate => ("护学岗", "School-gate support"),
        ActOther => ("其他", "Other"),
        Place => ("地点", "Place"),
        PlacePlaceholder => ("可选：岗位以外的地点", "Optional: where, if not at a post"),
        NoPost => ("不在岗位", "Not at a post"),
        Audience => ("听众人数", "Audience"),
        EndSession => ("结束值勤", "End session"),
        SessionRunning => ("进行中", "Running"),
        LeftEarly => ("早退", "Left early"),
        Late => ("迟到", "Late"),
        AddSubstitute => ("添加替班队员", "Add a substitute"),
        Substitute => ("替班", "Substitute"),
        AutoClosed => ("超过6小时未结束，已按6小时计，请确认结束时间。", "Open for over 6 h: counted to the limit. Please confirm the end."),
        ConfirmEnd => ("确认结束", "Confirm end"),
        Sessions => ("值勤记录", "Sessions"),
        NoSessions => ("还没有值勤记录", "No sessions yet"),
        Approve => ("批准", "Approve"),
        Reject => ("驳回", "Reject"),
        ApproveAll => ("全部批准", "Approve all"),
        ApprovedL => ("已批准", "Approved"),
        RejectedL => ("已驳回", "Rejected"),
        PendingL => ("待审批", "Pending"),
        HoursLocked => ("已批准的工时已锁定，只有管理员可以修改", "Approved hours are locked; only an admin may change them"),
        MonthlyReport => ("月报", "Monthly report"),
        Month => ("月份", "Month"),
        Hours => ("工时", "Hours"),
        SessionCount => ("次数", "Sessions"),
        ApprovedHours => ("已批准工时", "Approved hours"),
        PendingHours => ("待审批工时", "Pending hours"),
        AudienceTotal => ("反诈宣传听众", "Anti-fraud audience"),
        HoursPerMonth => ("每月工时（小时）", "Hours per month"),
        ExportHours => ("导出工时", "Hours CSV"),
        Print => ("打印", "Print"),
        TeamTotal => ("全队合计", "Team total"),
        ToConfirm => ("待确认结束", "Ends to confirm"),
    };
    match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    }
}

/// The names of the incident fields' values, in the UI's language.
pub mod names {
    use gatewatch_model::duty::{Activity, Approval};
    use gatewatch_model::team::{MemberStatus, Role};
    use gatewatch_model::{FollowUp, IncidentCategory, Severity};

    pub fn activity(a: Activity) -> Msg {
        match a {
            Activity::Patrol => Msg::ActPatrol,
            Activity::AntiFraud => Msg::ActAntiFraud,
            Activity::Traffic => Msg::ActTraffic,
            Activity::GateSupport => Msg::ActGate,
            Activity::Other => Msg::ActOther,
        }
    }

    pub fn role(r: Role) -> Msg {
        match r {
            Role::Lead => Msg::RoleLead,
            Role::Deputy => Msg::RoleDeputy,
            Role::Member => Msg::RoleMember,
        }
    }

    pub fn member_status(s: MemberStatus) -> Msg {
        match s {
            MemberStatus::Active => Msg::MemberActive,
            MemberStatus::Paused => Msg::MemberPaused,
            MemberStatus::Left => Msg::MemberLeft,
        }
    }

    pub fn approval(a: Approval) -> Msg {
        match a {
            Approval::Pending => Msg::PendingL,
            Approval::Approved => Msg::ApprovedL,
            Approval::Rejected => Msg::RejectedL,
        }
    }

    use super::Msg;

    pub fn category(c: IncidentCategory) -> Msg {
        match c {
            IncidentCategory::Bullying => Msg::CatBullying,
            IncidentCategory::Fraud => Msg::CatFraud,
            IncidentCategory::Traffic => Msg::CatTraffic,
            IncidentCategory::SuspiciousPerson => Msg::CatSuspicious,
            IncidentCategory::Other => Msg::CatOther,
        }
    }

    pub fn severity(s: Severity) -> Msg {
        match s {
            Severity::Low => Msg::SevLow,
            Severity::Medium => Msg::SevMedium,
            Severity::High => Msg::SevHigh,
        }
    }

    pub fn follow_up(f: FollowUp) -> Msg {
        match f {
            FollowUp::Open => Msg::FuOpen,
            FollowUp::HandedOver => Msg::FuHandedOver,
            FollowUp::Closed => Msg::FuClosed,
        }
    }
}

/// The text of `msg` in the current language, as a reactive view or attribute value.
///
/// Every call returns the same closure type, so the view code that renders it is
/// compiled once; a `tr(..)` written at each use is a new type each time
/// and its rendering code is duplicated in the wasm (measured: tens of kilobytes).
pub fn tr(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let state = crate::state::AppState::expect();
    move || state.t(msg)
}
