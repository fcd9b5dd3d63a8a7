//! Every string the console shows, in Chinese (default) and English. Messages are an
//! enum, so a missing translation is a compile error. Depends on nothing else of the
//! console (the model's enums are named here, never in the screens).

use chrono::{Datelike, NaiveDate};
use gatewatch_model::calendar::{DayRule, EntryScope};
use gatewatch_model::coverage::Status;
use gatewatch_model::school::WindowKind;
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
}

/// The `lang` parameter of the server's CSV exports.
pub fn csv_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "zh",
        Lang::En => "en",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    AppName,
    NavRoster,
    NavCalendar,
    NavCoverage,
    NavSwaps,
    OtherLanguage,
    Logout,
    Login,
    LoginIntro,
    Username,
    Password,
    BadCredentials,
    ForManagers,
    UseThePhoneApp,
    OpenPhoneApp,
    Offline,
    BadAnswer,
    Overlap,
    CsvRefused,
    SessionEnded,
    OutOfScope,
    NotOnServer,
    Refused,
    Import,
    Loading,
    NoSchools,
    Copied,
    Imported,
    School,
    WeekOf,
    PreviousWeek,
    NextWeek,
    CopyPreviousWeek,
    ExportCsv,
    RosterCsv,
    Remove,
    NotDue,
    AddOfficer,
    Officer,
    ChooseOfficer,
    Car,
    Save,
    Close,
    Year,
    LoadNational,
    CalendarCsv,
    Entries,
    Scope,
    From,
    To,
    Rule,
    Name,
    SchoolMonth,
    Month,
    NotYetCounted,
    SchoolDay,
    Weekend,
    Print,
    Csv,
    SheetCoverage,
    SheetAssignments,
    SheetOfficers,
    SheetCheckins,
    SheetIncidents,
    Rate,
    ByGate,
    ByAssignment,
    ByOfficer,
    Gate,
    Date,
    Window,
    Verdict,
    CameInstead,
    Why,
    Assigned,
    StatusCovered,
    StatusLate,
    StatusPartial,
    StatusMissed,
    StatusUpcoming,
    NoSwaps,
    ChooseSubstitute,
    Reason,
    Substitute,
    Note,
    Approve,
    Reject,
    Stale,
    PastReadOnly,
    NothingToCopy,
    NotCopied,
    SwapWithdrawn,
    SwapNotAssigned,
    NotDueAssignments,
    NotDueVerdict,
    RateColumn,
}

/// `msg` in `lang`.
pub fn text(lang: Lang, msg: Msg) -> &'static str {
    let (zh, en) = both(msg);
    match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    }
}

fn both(msg: Msg) -> (&'static str, &'static str) {
    use Msg::*;
    match msg {
        AppName => ("护学岗管理台", "Gatewatch console"),
        NavRoster => ("排班", "Roster"),
        NavCalendar => ("校历", "Calendar"),
        NavCoverage => ("落实率", "Coverage"),
        NavSwaps => ("换班", "Swaps"),
        OtherLanguage => ("English", "中文"),
        Logout => ("退出登录", "Log out"),
        Login => ("登录", "Log in"),
        LoginIntro => (
            "管理台供派出所所长、指挥室和管理员排班、查看落实率、审批换班。",
            "The console is for station chiefs, the command room and admins: rosters, coverage, swap approvals.",
        ),
        Username => ("用户名", "Username"),
        Password => ("密码", "Password"),
        BadCredentials => ("用户名或密码不对。", "Wrong username or password."),
        ForManagers => ("管理台只供所长、指挥室和管理员使用", "The console is for managers only"),
        UseThePhoneApp => (
            "民警和志愿队长请在手机上使用护学岗巡查应用：签到、今日、记录和换班申请都在那里。",
            "Officers and team leads use the Gatewatch phone app: check-ins, today, records and swap requests are there.",
        ),
        OpenPhoneApp => ("打开手机应用", "Open the phone app"),
        Offline => ("连不上服务器，请检查网络后重试", "Cannot reach the server: check the network and try again"),
        BadAnswer => ("服务器的回答无法读取", "The server's answer could not be read"),
        Overlap => ("冲突：该民警在同一日期同一时段已有岗位", "Overlap: the officer is already on another post in that window"),
        CsvRefused => ("CSV 未导入（全部未保存）", "CSV not imported (nothing was stored)"),
        SessionEnded => ("登录已失效，请重新登录", "Your session ended: log in again"),
        OutOfScope => ("无权操作（不在您负责的学校范围内）", "Not allowed (outside your schools)"),
        NotOnServer => ("服务器尚未提供此功能", "The server does not offer this yet"),
        Refused => ("服务器拒绝", "Refused by the server"),
        Import => ("导入", "Import"),
        Loading => ("正在加载…", "Loading…"),
        NoSchools => ("您的账号尚未分配学校，请联系管理员。", "No schools are assigned to your account: ask an admin."),
        Copied => ("已复制岗位数：", "Assignments copied:"),
        Imported => ("已导入条数：", "Rows stored:"),
        School => ("学校", "School"),
        WeekOf => ("周（任选一天）", "Week (any day of it)"),
        PreviousWeek => ("上一周", "Previous week"),
        NextWeek => ("下一周", "Next week"),
        CopyPreviousWeek => ("复制上周排班", "Copy the previous week"),
        ExportCsv => ("导出本周 CSV", "Export this week (CSV)"),
        RosterCsv => ("值班表 CSV", "Roster CSV"),
        Remove => ("移除", "Remove"),
        NotDue => ("非勤务时段", "not due"),
        AddOfficer => ("添加民警", "Add an officer"),
        Officer => ("民警", "Officer"),
        ChooseOfficer => ("请选择", "Choose"),
        Car => ("车辆（车牌）", "Car (plate)"),
        Save => ("保存", "Save"),
        Close => ("关闭", "Close"),
        Year => ("年份", "Year"),
        LoadNational => ("载入全国节假日安排", "Load the national holidays"),
        CalendarCsv => ("校历 CSV", "Calendar CSV"),
        Entries => ("本年条目", "Entries of the year"),
        Scope => ("范围", "Scope"),
        From => ("开始日期", "From"),
        To => ("结束日期", "To"),
        Rule => ("类型", "Rule"),
        Name => ("名称", "Name"),
        SchoolMonth => ("学校月历", "A school's month"),
        Month => ("月份", "Month"),
        NotYetCounted => ("未计入", "not counted yet"),
        SchoolDay => ("上课", "school day"),
        Weekend => ("周末", "weekend"),
        Print => ("打印", "Print"),
        Csv => ("下载 CSV：", "Download CSV:"),
        SheetCoverage => ("落实率", "Coverage"),
        SheetAssignments => ("排班落实", "Assignments"),
        SheetOfficers => ("民警统计", "Officers"),
        SheetCheckins => ("签到", "Check-ins"),
        SheetIncidents => ("警情", "Incidents"),
        Rate => ("高峰勤务落实率：", "Peak duty coverage: "),
        ByGate => ("按校门", "By gate"),
        ByAssignment => ("按排班", "By assignment"),
        ByOfficer => ("按民警", "By officer"),
        Gate => ("校门", "Gate"),
        Date => ("日期", "Date"),
        Window => ("时段", "Window"),
        Verdict => ("结果", "Verdict"),
        CameInstead => ("实际到岗", "Came instead"),
        Why => ("原因", "Why"),
        Assigned => ("排班", "Assigned"),
        StatusCovered => ("已落实", "Covered"),
        StatusLate => ("迟到", "Late"),
        StatusPartial => ("部分", "Partial"),
        StatusMissed => ("未到岗", "Missed"),
        StatusUpcoming => ("未到时", "Upcoming"),
        NoSwaps => ("没有待审批的换班申请。", "No swap requests waiting."),
        ChooseSubstitute => ("批准前请选择替班民警", "Choose the substitute before approving"),
        Reason => ("理由：", "Reason: "),
        Substitute => ("替班民警", "Substitute"),
        Note => ("备注", "Note"),
        Approve => ("批准", "Approve"),
        Reject => ("驳回", "Reject"),
        Stale => (
            "此格刚被他人修改，已重新载入本周排班，请核对后再改",
            "This cell was changed by someone else meanwhile: the week was reloaded, check it and try again",
        ),
        PastReadOnly => (
            "已过去的日期只读：其排班不能再修改（今天及以后可以）。",
            "Past days are read-only: their roster can no longer be changed (today and later can).",
        ),
        NothingToCopy => ("上周没有排班，未复制任何岗位", "The previous week has no roster: nothing was copied"),
        NotCopied => ("未复制（见下）：", "not copied (listed below):"),
        SwapWithdrawn => ("民警已撤回该申请，无需审批", "The officer withdrew this request: there is nothing to decide"),
        SwapNotAssigned => (
            "申请人已不在该时段的排班中，无法按此申请换班",
            "The asking officer no longer holds this slot: the swap cannot be made",
        ),
        NotDueAssignments => ("排班但不需执勤（不计入落实率）", "Assigned but not due (not counted)"),
        NotDueVerdict => ("不需执勤", "not due"),
        RateColumn => ("落实率", "Rate"),
    }
}

/// Why a copy of a week left an officer out, by the server's code (`disabled`,
/// `not_of_school`, `not_officer`, `no_account`, `overlap`); a code this console does
/// not know is shown as it came.
pub fn skipped_why(lang: Lang, code: &str) -> String {
    let (zh, en) = match code {
        "disabled" => ("账号已停用", "the account is disabled"),
        "not_of_school" => ("已不是该校民警", "no longer an officer of that school"),
        "not_officer" => ("不是民警账号", "not an officer's account"),
        "no_account" => ("账号不存在", "no such account"),
        "overlap" => (
            "同一时段已在其他岗位",
            "already on another post in that window",
        ),
        other => return other.to_string(),
    };
    match lang {
        Lang::ZhCn => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// `第 3 行` / `line 3`: where a CSV refusal points.
pub fn line_no(lang: Lang, line: u64) -> String {
    match lang {
        Lang::ZhCn => format!("第 {line} 行"),
        Lang::En => format!("line {line}"),
    }
}

pub fn weekday(lang: Lang, date: NaiveDate) -> &'static str {
    let i = date.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::ZhCn => ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][i],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
    }
}

/// 早 / 午 / 晚, as a 值班表 writes them.
pub fn window_name(lang: Lang, kind: WindowKind) -> &'static str {
    match (lang, kind) {
        (Lang::ZhCn, WindowKind::Morning) => "早",
        (Lang::ZhCn, WindowKind::Noon) => "午",
        (Lang::ZhCn, WindowKind::Afternoon) => "晚",
        (Lang::En, WindowKind::Morning) => "morning",
        (Lang::En, WindowKind::Noon) => "noon",
        (Lang::En, WindowKind::Afternoon) => "afternoon",
    }
}

pub fn status_name(lang: Lang, status: Status) -> &'static str {
    let msg = match status {
        Status::Covered => Msg::StatusCovered,
        Status::Late => Msg::StatusLate,
        Status::Partial => Msg::StatusPartial,
        Status::Missed => Msg::StatusMissed,
        Status::Upcoming => Msg::StatusUpcoming,
    };
    text(lang, msg)
}

/// 放假 / 上班 / 特殊, as the calendar CSV writes them.
pub fn day_rule_name(lang: Lang, rule: DayRule) -> &'static str {
    match (lang, rule) {
        (Lang::ZhCn, DayRule::Off) => "放假",
        (Lang::ZhCn, DayRule::On) => "上班",
        (Lang::ZhCn, DayRule::Special) => "特殊",
        (Lang::En, DayRule::Off) => "off",
        (Lang::En, DayRule::On) => "on",
        (Lang::En, DayRule::Special) => "special",
    }
}

/// 全国 / 区:高新区 / 学校:s02, as the calendar CSV writes them.
pub fn scope_name(lang: Lang, scope: &EntryScope) -> String {
    match (lang, scope) {
        (Lang::ZhCn, EntryScope::National) => "全国".into(),
        (Lang::ZhCn, EntryScope::District(d)) => format!("区:{d}"),
        (Lang::ZhCn, EntryScope::School(s)) => format!("学校:{s}"),
        (Lang::En, scope) => String::from(scope.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_and_lines_read_naturally() {
        let d = gatewatch_model::timefmt::parse_date("2026-10-10").unwrap();
        assert_eq!(weekday(Lang::ZhCn, d), "周六");
        assert_eq!(weekday(Lang::En, d), "Sat");
        assert_eq!(line_no(Lang::ZhCn, 3), "第 3 行");
        assert_eq!(
            scope_name(Lang::ZhCn, &EntryScope::District("高新区".into())),
            "区:高新区"
        );
        assert_eq!(
            scope_name(Lang::En, &EntryScope::School("s02".into())),
            "school:s02"
        );
        assert_eq!(skipped_why(Lang::ZhCn, "overlap"), "同一时段已在其他岗位");
        assert_eq!(skipped_why(Lang::En, "disabled"), "the account is disabled");
        assert_eq!(skipped_why(Lang::En, "on leave"), "on leave");
    }
}
