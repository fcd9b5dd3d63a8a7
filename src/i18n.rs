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
    PhoneKeepsRecent,
    AdoptServerCopy,
    FollowTeam,
    Follow,
    StartTime,
    EndTime,
    SyncSignedOut,
    Login,
    Username,
    Password,
    LoginIntro,
    LoginFailed,
    BadCredentials,
    AccountDisabled,
    TooManyAttempts,
    NeedsNetwork,
    OtherUsersRecords,
    SessionEnded,
    LogInAgain,
    Account,
    Logout,
    LogoutBlocked,
    ExportUnsynced,
    UserOfficer,
    UserLead,
    UserAdmin,
    RefusedInvalid,
    RefusedClockAhead,
    RefusedConflict,
    RefusedHoursLocked,
    RefusedOutOfScope,
    RefusedNotOwn,
    RefusedNotForRole,
    // Volunteer hours (issue 12.9)
    PhoneNotMobile,
    PhoneNeedsFix,
    ConfirmApprove,
    ConfirmApproveAll,
    Absentees,
    ActivityList,
    Date,
    Time,
    Volunteers,
    SignedBy,
    SignDate,
    NotOnPhone,
    PlaceTooLong,
    BadAudience,
    EndBeforeStart,
    BadTimes,
    StorageFull,
    StorageFailed,
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
        NoTeam => ("本机还没有志愿者队伍：选择已有的队伍（需联网同步过），或新建一个。", "No volunteer team on this phone yet: pick an existing one (after syncing online), or create one."),
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
        HoursPerMonth => ("每月工时", "Hours per month"),
        ExportHours => ("导出工时", "Hours CSV"),
        Print => ("打印", "Print"),
        TeamTotal => ("全队合计", "Team total"),
        ToConfirm => ("待确认结束", "Ends to confirm"),
        AdoptServerCopy => ("采用服务器版本", "Use the server's version"),
        FollowTeam => ("已有的队伍", "An existing team"),
        Follow => ("这是我的队伍", "This is my team"),
        PhoneKeepsRecent => (
            "本机只保留近90天已同步的记录；更早的月份请看服务器报表。",
            "This phone keeps synced records for 90 days; earlier months are in the server's report.",
        ),
        StartTime => ("开始时间", "Start"),
        EndTime => ("结束时间", "End"),
        SyncSignedOut => ("未登录", "Signed out"),
        Login => ("登录", "Log in"),
        Username => ("用户名", "Username"),
        Password => ("密码", "Password"),
        LoginIntro => (
            "请用管理员发给您的账号登录。登录一次后，没有信号也能使用。",
            "Log in with the account your administrator gave you. After one login the app works without a signal.",
        ),
        LoginFailed => ("登录失败", "Login failed"),
        BadCredentials => ("用户名或密码错误", "Wrong username or password"),
        AccountDisabled => ("此账号已停用，请联系管理员", "This account is disabled; ask your administrator"),
        TooManyAttempts => ("失败次数过多，请稍后再试", "Too many failed attempts; try again later"),
        NeedsNetwork => ("需要联网才能完成，请到有信号的地方再试", "This needs a connection; try again where there is a signal"),
        OtherUsersRecords => (
            "本机还有以下账号未上传的记录，请先用该账号登录上传：",
            "This phone still holds unsynced records of another account; log in as them first:",
        ),
        SessionEnded => (
            "登录已过期：记录都保存在本机，重新登录后自动上传。",
            "Your session has ended: every record is kept on this phone and goes up after you log in again.",
        ),
        LogInAgain => ("重新登录", "Log in again"),
        Account => ("账号", "Account"),
        Logout => ("退出登录", "Log out"),
        LogoutBlocked => (
            "还有未上传的记录，暂不能退出：请联网同步后再试，或先导出到文件。待上传：",
            "Unsynced records are on this phone, so you cannot log out yet: sync first, or export them to a file. Pending:",
        ),
        ExportUnsynced => ("导出未上传记录", "Export unsynced records"),
        UserOfficer => ("民警", "Officer"),
        UserLead => ("队长", "Team lead"),
        UserAdmin => ("管理员", "Administrator"),
        RefusedInvalid => ("记录内容不符合规则", "The record breaks a rule"),
        RefusedClockAhead => (
            "手机时间比服务器快一天以上，请检查手机的日期和时间",
            "The phone's clock is more than a day ahead; check its date and time",
        ),
        RefusedConflict => ("同一版本已有不同内容，请重新修改后保存", "This version is stored with other content; edit and save again"),
        RefusedHoursLocked => ("已审批的时长已锁定，只有管理员可以修改", "Approved hours are locked; only an administrator may change them"),
        RefusedOutOfScope => (
            "不在您账号的辖区内（学校或队伍不属于您），请联系管理员",
            "Outside your account's scope (not your school or team); ask your administrator",
        ),
        RefusedNotOwn => ("只能修改自己录入的记录", "You may change only the records you made"),
        RefusedNotForRole => ("您的账号角色不能录入此类记录", "Your account's role may not enter this kind of record"),
        // Volunteer hours (issue 12.9)
        PhoneNotMobile => (
            "请填写11位手机号（13-19开头，可带+86、空格或横线）",
            "Enter an 11-digit mobile number starting 13-19 (+86, spaces and dashes allowed)",
        ),
        PhoneNeedsFix => ("号码有误，请更正", "Number needs correcting"),
        ConfirmApprove => ("确认批准", "Confirm approval"),
        ConfirmApproveAll => ("确认批准全部待审工时", "Confirm: approve all pending hours"),
        Absentees => ("缺席", "Absent"),
        ActivityList => ("活动记录", "Activities"),
        Date => ("日期", "Date"),
        Time => ("时间", "Time"),
        Volunteers => ("人数", "Volunteers"),
        SignedBy => ("负责人签字", "Signature of the person in charge"),
        SignDate => ("日期", "Date"),
        NotOnPhone => ("这条记录不在本机上", "This record is not on this phone"),
        PlaceTooLong => ("地点最多100字", "A place is up to 100 characters"),
        BadAudience => ("听众人数为0到100000", "An audience is 0 to 100000 people"),
        EndBeforeStart => ("结束时间早于开始时间", "The end comes before the start"),
        BadTimes => ("请填写开始和结束时间", "Enter a start and an end time"),
        StorageFull => ("本机存储已满", "This phone's storage is full"),
        StorageFailed => ("本机存储出错", "This phone's storage failed"),
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

// Volunteer hours (issue 12.9)
/// A duration as every team screen shows it: `1小时5分钟` / `1 h 5 min`, split by the
/// model's one rule (`format_duration`), so a total is its rows added up.
pub fn duration(lang: Lang, minutes: i64) -> String {
    let d = gatewatch_model::report::format_duration(minutes);
    match (lang, d.hours, d.minutes) {
        (Lang::ZhCn, 0, m) => format!("{m}分钟"),
        (Lang::ZhCn, h, 0) => format!("{h}小时"),
        (Lang::ZhCn, h, m) => format!("{h}小时{m}分钟"),
        (Lang::En, 0, m) => format!("{m} min"),
        (Lang::En, h, 0) => format!("{h} h"),
        (Lang::En, h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::{duration, Lang};

    #[test]
    fn durations_in_both_languages() {
        let cases = [
            (0, "0分钟", "0 min"),
            (1, "1分钟", "1 min"),
            (60, "1小时", "1 h"),
            (65, "1小时5分钟", "1 h 5 min"),
            (375, "6小时15分钟", "6 h 15 min"),
        ];
        for (minutes, zh, en) in cases {
            assert_eq!(duration(Lang::ZhCn, minutes), zh);
            assert_eq!(duration(Lang::En, minutes), en);
        }
    }
}
