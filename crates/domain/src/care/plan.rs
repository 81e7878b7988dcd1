//! Care plans (关怀计划): which contacts follow a delivery, a service visit, a free-service due
//! date, a birthday or tomorrow's appointment, who makes each one and by when.
//!
//! A plan is a list of rules; each rule has a trigger, an offset from its anchor (the event's
//! time, or a calendar date), a person's task or an outbox message, a title and a script. The
//! store starts with the seeds' schedule (`default_plans`) and may edit it; the offsets are
//! applied in the store's time zone so "within 7 days" means seven days on the store's calendar.

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{Channel, at_local, at_local_time, schedule, vocabulary};

vocabulary!(
    /// What starts a rule.
    Trigger {
        VehicleDelivered => "vehicle_delivered",
        RepairOrderClosed => "repair_order_closed",
        Birthday => "birthday",
        FamilyBirthday => "family_birthday",
        PurchaseAnniversary => "purchase_anniversary",
        FirstMaintenance => "first_maintenance",
        SecondMaintenance => "second_maintenance",
        AppointmentTomorrow => "appointment_tomorrow",
    }
);

impl Trigger {
    /// Reacting to a domain event (anchored at its time); the others are anchored at a
    /// calendar date (a birthday, a due date, an appointment day).
    pub fn is_event(self) -> bool {
        matches!(self, Trigger::VehicleDelivered | Trigger::RepairOrderClosed)
    }
}

vocabulary!(
    /// Who gets the task.
    Assignee {
        SellingConsultant => "selling_consultant",
        SalesManager => "sales_manager",
        ServiceAdvisor => "service_advisor",
        CustomerCare => "customer_care",
    }
);

vocabulary!(
    /// Create a task for a person, or send a message.
    Action {
        Task => "task",
        Message => "message",
    }
);

/// Survey templates a rule may ask: sales (SSI) and service (CSI) satisfaction.
pub const SURVEYS: [&str; 2] = ["ssi", "csi"];

/// Most occurrences one repeating rule may have (ten years of monthly contacts).
pub const MAX_REPEATS: u32 = 120;

/// Days a repeated contact stays open before it is late.
pub const REPEAT_WINDOW_DAYS: i32 = 7;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSpec {
    pub trigger: Trigger,
    /// Days after the anchor the contact becomes due (negative: before, e.g. a reminder before
    /// a date).
    pub offset_days: i32,
    /// Extra hours after the anchor (the "within 24 hours" rules use offset_days 0,
    /// offset_hours 24).
    pub offset_hours: i32,
    /// Repeat every N months after the first occurrence (the every-two-months contact), with
    /// `repeat_count` occurrences in all (1 = no repeat).
    pub repeat_every_months: u32,
    pub repeat_count: u32,
    pub action: Action,
    pub channel: Channel,
    pub assignee: Assignee,
    /// Title shown in the inbox, e.g. "交车7日回访".
    pub title: String,
    /// The call script (话术).
    pub script: String,
    /// Code of a survey template to ask ("ssi" or "csi"), if any.
    pub survey: Option<String>,
    /// Code of the message template when action is Message (e.g. "delivery_thanks").
    pub template: Option<String>,
}

/// Why a rule cannot be saved.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RuleError {
    #[error("title is required")]
    TitleMissing,
    #[error("a message needs an sms, email or wechat channel")]
    MessageChannel,
    #[error("a message needs a template")]
    TemplateMissing,
    #[error("repeat_count must be between 1 and {MAX_REPEATS}")]
    RepeatCount,
    #[error("a repeated rule needs repeat_every_months")]
    RepeatInterval,
    #[error("unknown survey {0}")]
    UnknownSurvey(String),
}

impl RuleSpec {
    /// Whether the rule is a series of contacts rather than one.
    pub fn repeats(&self) -> bool {
        self.repeat_count > 1 && self.repeat_every_months > 0
    }

    /// Checks a rule a store edits: a message goes through the outbox with a template, a
    /// repeat has an interval, a survey is one we have.
    pub fn validate(&self) -> Result<(), RuleError> {
        if self.title.trim().is_empty() {
            return Err(RuleError::TitleMissing);
        }
        if self.action == Action::Message {
            if !self.channel.is_message() {
                return Err(RuleError::MessageChannel);
            }
            if self.template.as_deref().is_none_or(|t| t.trim().is_empty()) {
                return Err(RuleError::TemplateMissing);
            }
        }
        if !(1..=MAX_REPEATS).contains(&self.repeat_count) {
            return Err(RuleError::RepeatCount);
        }
        if self.repeat_count > 1 && self.repeat_every_months == 0 {
            return Err(RuleError::RepeatInterval);
        }
        match &self.survey {
            Some(code) if !SURVEYS.contains(&code.as_str()) => {
                Err(RuleError::UnknownSurvey(code.clone()))
            }
            _ => Ok(()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultPlan {
    pub code: &'static str,
    pub name: &'static str,
    pub rules: Vec<RuleSpec>,
}

/// A rule with no repeat, survey or template; the defaults below fill in the rest.
fn rule(
    trigger: Trigger,
    (offset_days, offset_hours): (i32, i32),
    action: Action,
    channel: Channel,
    assignee: Assignee,
    title: &str,
    script: &str,
) -> RuleSpec {
    RuleSpec {
        trigger,
        offset_days,
        offset_hours,
        repeat_every_months: 0,
        repeat_count: 1,
        action,
        channel,
        assignee,
        title: title.to_owned(),
        script: script.to_owned(),
        survey: None,
        template: None,
    }
}

fn call(
    trigger: Trigger,
    offset: (i32, i32),
    assignee: Assignee,
    title: &str,
    script: &str,
) -> RuleSpec {
    rule(
        trigger,
        offset,
        Action::Task,
        Channel::Phone,
        assignee,
        title,
        script,
    )
}

fn sms(
    trigger: Trigger,
    offset_days: i32,
    assignee: Assignee,
    template: &str,
    title: &str,
    script: &str,
) -> RuleSpec {
    RuleSpec {
        template: Some(template.to_owned()),
        ..rule(
            trigger,
            (offset_days, 0),
            Action::Message,
            Channel::Sms,
            assignee,
            title,
            script,
        )
    }
}

fn delivery_plan() -> DefaultPlan {
    use Assignee::*;
    use Trigger::VehicleDelivered as Delivered;
    DefaultPlan {
        code: "delivery",
        name: "交车后关怀",
        rules: vec![
            sms(
                Delivered,
                0,
                SellingConsultant,
                "delivery_thanks",
                "交车感谢短信",
                "感谢您选择本店！祝您用车愉快，有任何问题请随时联系您的销售顾问。",
            ),
            call(
                Delivered,
                (0, 24),
                SalesManager,
                "交车24小时经理回访",
                "您好，我是店里的销售经理，感谢您在本店购车！新车开着感觉怎么样？\
                 有没有哪些功能还不太明白？对我们店和销售顾问的服务有什么意见？\
                 有没有需要投诉的地方？上牌需要我们帮忙吗？",
            ),
            RuleSpec {
                survey: Some("ssi".to_owned()),
                ..call(
                    Delivered,
                    (7, 0),
                    SellingConsultant,
                    "交车7日回访",
                    "您好，我是您的销售顾问。新车开了一周，用得还顺手吗？\
                     提醒您首保在6个月或5000公里内（以先到为准），记得提前预约。\
                     牌照办好了吗？上次提到的问题解决了吗？",
                )
            },
            rule(
                Delivered,
                (30, 0),
                Action::Task,
                Channel::Visit,
                SellingConsultant,
                "交车1个月拜访",
                "约客户见一面：邀请参加店里的活动，或借生日、纪念日、路过时登门拜访；\
                 看看车况，听听用车感受，问问身边有没有朋友要买车。",
            ),
            RuleSpec {
                repeat_every_months: 2,
                repeat_count: 5,
                ..call(
                    Delivered,
                    (60, 0),
                    SellingConsultant,
                    "每两个月关怀",
                    "您好，最近车用得怎么样？提醒您按时保养（里程或时间先到为准）。\
                     周末有空可以来店里坐坐，我们有车主活动。",
                )
            },
        ],
    }
}

fn service_plan() -> DefaultPlan {
    DefaultPlan {
        code: "service",
        name: "维修后回访",
        rules: vec![RuleSpec {
            survey: Some("csi".to_owned()),
            ..call(
                Trigger::RepairOrderClosed,
                (3, 0),
                Assignee::CustomerCare,
                "维修后3日回访",
                "您好，我是店里的客服。您前几天在我们店维修保养，车现在用着正常吗？\
                 对服务顾问的接待和维修质量满意吗？有什么意见或建议？\
                 （请在结算单上客户方便的时间致电）",
            )
        }],
    }
}

fn maintenance_plan() -> DefaultPlan {
    let reminder =
        |trigger, title, script| call(trigger, (-14, 0), Assignee::CustomerCare, title, script);
    DefaultPlan {
        code: "maintenance",
        name: "首保/二保提醒",
        rules: vec![
            reminder(
                Trigger::FirstMaintenance,
                "首保到期提醒",
                "您好，您爱车的首次免费保养快到期了（按时间或里程先到为准），\
                 过期就不能免费享受了。我帮您预约一个方便的时间好吗？",
            ),
            reminder(
                Trigger::SecondMaintenance,
                "二保到期提醒",
                "您好，您爱车的第二次保养快到期了（按时间或里程先到为准），\
                 按时保养对车况和质保都有好处。我帮您预约一个方便的时间好吗？",
            ),
        ],
    }
}

fn everyday_plan() -> DefaultPlan {
    use Assignee::CustomerCare;
    DefaultPlan {
        code: "everyday",
        name: "日常关怀",
        rules: vec![
            sms(
                Trigger::Birthday,
                0,
                CustomerCare,
                "birthday",
                "客户生日祝福",
                "祝您生日快乐，身体健康，万事如意！",
            ),
            sms(
                Trigger::FamilyBirthday,
                0,
                CustomerCare,
                "family_birthday",
                "家人生日祝福",
                "今天是您家人的生日，祝家人生日快乐，阖家幸福！",
            ),
            sms(
                Trigger::PurchaseAnniversary,
                0,
                CustomerCare,
                "purchase_anniversary",
                "购车周年祝福",
                "今天是您爱车的购车纪念日，感谢一路相伴，祝您行车平安！",
            ),
        ],
    }
}

fn appointment_plan() -> DefaultPlan {
    DefaultPlan {
        code: "appointment",
        name: "预约确认",
        rules: vec![sms(
            Trigger::AppointmentTomorrow,
            -1,
            Assignee::ServiceAdvisor,
            "appointment_confirm",
            "预约前一日确认",
            "提醒您明天到店保养/维修，如时间有变请回复或来电，我们为您重新安排。",
        )],
    }
}

/// The seeds' plans a new store starts with.
pub fn default_plans() -> Vec<DefaultPlan> {
    vec![
        delivery_plan(),
        service_plan(),
        maintenance_plan(),
        everyday_plan(),
        appointment_plan(),
    ]
}

/// When an occurrence of a rule is due: the window opens at `opens_at` and the contact is late
/// after `due_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    pub index: u32,
    pub opens_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// `at` moved by calendar days in `zone` (same wall-clock time), then by elapsed hours.
fn shifted(at: DateTime<Utc>, days: i32, hours: i32, zone: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&zone).naive_local();
    let moved = local
        .checked_add_signed(Duration::days(i64::from(days)))
        .unwrap_or(local);
    let moved = at_local(zone, moved);
    moved
        .checked_add_signed(Duration::hours(i64::from(hours)))
        .unwrap_or(moved)
}

/// `at` moved by calendar months in `zone`, clamped to the month's end, same wall-clock time.
fn months_later(at: DateTime<Utc>, months: u32, zone: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&zone).naive_local();
    let date = schedule::add_months(local.date(), months);
    at_local(zone, date.and_time(local.time()))
}

/// Occurrences of an event rule anchored at the event time (delivery, close).
///
/// A single contact is a "within" window: it opens at the anchor and is due at the anchor plus
/// the offset (a negative offset opens that much before and is due at the anchor). Day offsets
/// are calendar days in the store's zone, hours are elapsed hours after them.
///
/// A repeating rule is a series instead: its first contact opens at the anchor plus the offset,
/// each next one `repeat_every_months` calendar months after the first (clamped to the month's
/// end, counted from the first so a short month does not shift the rest), and each is due
/// `REPEAT_WINDOW_DAYS` days after it opens. At most `MAX_REPEATS` occurrences are given.
pub fn event_occurrences(rule: &RuleSpec, anchor: DateTime<Utc>, zone: Tz) -> Vec<Occurrence> {
    let target = shifted(anchor, rule.offset_days, rule.offset_hours, zone);
    if !rule.repeats() {
        return vec![Occurrence {
            index: 0,
            opens_at: anchor.min(target),
            due_at: anchor.max(target),
        }];
    }
    (0..rule.repeat_count.min(MAX_REPEATS))
        .map_while(|index| {
            let months = index.checked_mul(rule.repeat_every_months)?;
            let opens_at = months_later(target, months, zone);
            Some(Occurrence {
                index,
                opens_at,
                due_at: shifted(opens_at, REPEAT_WINDOW_DAYS, 0, zone),
            })
        })
        .collect()
}

/// The local time a date rule's contact opens (and a message is sent).
pub const DATE_RULE_OPENS: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// The last second of a day.
const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// The day a date rule acts on: `date` shifted by the rule's offset.
pub fn date_rule_day(rule: &RuleSpec, date: NaiveDate) -> NaiveDate {
    let days = Days::new(u64::from(rule.offset_days.unsigned_abs()));
    let moved = if rule.offset_days >= 0 {
        date.checked_add_days(days)
    } else {
        date.checked_sub_days(days)
    };
    moved.unwrap_or(date)
}

/// The occurrence of a date rule (birthday, due date, appointment day) anchored at `date`: it
/// opens at 09:00 store time on `date + offset_days` and is due at 23:59:59 that day (a Message
/// is sent when it opens, quiet hours permitting).
pub fn date_occurrence(rule: &RuleSpec, date: NaiveDate, zone: Tz) -> Occurrence {
    let day = date_rule_day(rule, date);
    Occurrence {
        index: 0,
        opens_at: at_local_time(zone, day, DATE_RULE_OPENS),
        due_at: at_local_time(zone, day, END_OF_DAY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Asia::Shanghai;

    fn shanghai(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Shanghai
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn plan(code: &str) -> DefaultPlan {
        default_plans()
            .into_iter()
            .find(|p| p.code == code)
            .unwrap()
    }

    fn delivery_rule(title: &str) -> RuleSpec {
        plan("delivery")
            .rules
            .into_iter()
            .find(|r| r.title == title)
            .unwrap()
    }

    #[test]
    fn vocabularies_round_trip() {
        for trigger in Trigger::ALL {
            assert_eq!(Trigger::parse(trigger.as_str()), Some(trigger));
        }
        for assignee in Assignee::ALL {
            assert_eq!(Assignee::parse(assignee.as_str()), Some(assignee));
        }
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
        let events: Vec<_> = Trigger::ALL.into_iter().filter(|t| t.is_event()).collect();
        assert_eq!(
            events,
            [Trigger::VehicleDelivered, Trigger::RepairOrderClosed]
        );
        assert_eq!(Trigger::parse("Birthday"), None);
    }

    #[test]
    fn serde_names_are_the_stored_names() {
        use serde::de::{IntoDeserializer, value::Error};
        for trigger in Trigger::ALL {
            let parsed = Trigger::deserialize(IntoDeserializer::<Error>::into_deserializer(
                trigger.as_str(),
            ));
            assert_eq!(parsed, Ok(trigger));
        }
        for assignee in Assignee::ALL {
            let parsed = Assignee::deserialize(IntoDeserializer::<Error>::into_deserializer(
                assignee.as_str(),
            ));
            assert_eq!(parsed, Ok(assignee));
        }
    }

    #[test]
    fn the_default_plans_follow_the_seeds() {
        let codes: Vec<_> = default_plans().iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                "delivery",
                "service",
                "maintenance",
                "everyday",
                "appointment"
            ]
        );
        for plan in default_plans() {
            assert!(!plan.name.is_empty());
            for rule in &plan.rules {
                assert_eq!(rule.validate(), Ok(()), "{}", rule.title);
                assert!(!rule.title.is_empty() && !rule.script.is_empty());
                if rule.action == Action::Message {
                    assert!(rule.template.is_some(), "{}", rule.title);
                    assert!(rule.channel.is_message());
                }
            }
        }
        // Every buyer is called by the consultant within 7 days (the 100% coverage KPI),
        // with the sales satisfaction survey.
        let seven_day = plan("delivery")
            .rules
            .into_iter()
            .find(|r| r.assignee == Assignee::SellingConsultant && r.channel == Channel::Phone)
            .unwrap();
        assert_eq!((seven_day.offset_days, seven_day.offset_hours), (7, 0));
        assert_eq!(seven_day.action, Action::Task);
        assert_eq!(seven_day.survey.as_deref(), Some("ssi"));
        let manager = delivery_rule("交车24小时经理回访");
        assert_eq!(manager.assignee, Assignee::SalesManager);
        assert_eq!((manager.offset_days, manager.offset_hours), (0, 24));
        let thanks = delivery_rule("交车感谢短信");
        assert_eq!(thanks.template.as_deref(), Some("delivery_thanks"));
        let service = &plan("service").rules[0];
        assert_eq!(service.trigger, Trigger::RepairOrderClosed);
        assert_eq!(service.offset_days, 3);
        assert_eq!(service.survey.as_deref(), Some("csi"));
        for rule in plan("maintenance").rules {
            assert_eq!(rule.offset_days, -14);
        }
        let confirm = &plan("appointment").rules[0];
        assert_eq!(confirm.template.as_deref(), Some("appointment_confirm"));
        assert_eq!(confirm.offset_days, -1);
    }

    #[test]
    fn rules_a_store_edits_are_checked() {
        let good = delivery_rule("交车7日回访");
        assert_eq!(
            RuleSpec {
                title: " ".into(),
                ..good.clone()
            }
            .validate(),
            Err(RuleError::TitleMissing)
        );
        let message = delivery_rule("交车感谢短信");
        assert_eq!(
            RuleSpec {
                template: None,
                ..message.clone()
            }
            .validate(),
            Err(RuleError::TemplateMissing)
        );
        assert_eq!(
            RuleSpec {
                channel: Channel::Phone,
                ..message
            }
            .validate(),
            Err(RuleError::MessageChannel)
        );
        assert_eq!(
            RuleSpec {
                repeat_count: 0,
                ..good.clone()
            }
            .validate(),
            Err(RuleError::RepeatCount)
        );
        assert_eq!(
            RuleSpec {
                repeat_count: 3,
                ..good.clone()
            }
            .validate(),
            Err(RuleError::RepeatInterval)
        );
        assert_eq!(
            RuleSpec {
                survey: Some("nps".into()),
                ..good
            }
            .validate(),
            Err(RuleError::UnknownSurvey("nps".into()))
        );
    }

    #[test]
    fn within_rules_open_at_the_event_and_fall_due_after_the_offset() {
        let delivered = shanghai(2026, 1, 31, 16, 30);
        let manager = event_occurrences(&delivery_rule("交车24小时经理回访"), delivered, Shanghai);
        assert_eq!(
            manager,
            [Occurrence {
                index: 0,
                opens_at: delivered,
                due_at: shanghai(2026, 2, 1, 16, 30)
            }]
        );
        let week = event_occurrences(&delivery_rule("交车7日回访"), delivered, Shanghai);
        assert_eq!(week[0].due_at, shanghai(2026, 2, 7, 16, 30));
        let thanks = event_occurrences(&delivery_rule("交车感谢短信"), delivered, Shanghai);
        assert_eq!(
            (thanks[0].opens_at, thanks[0].due_at),
            (delivered, delivered)
        );
    }

    #[test]
    fn day_offsets_are_store_calendar_days() {
        // Closed at 23:30 in Shanghai on 31 January: 15:30 UTC the same day, but a task due
        // three days later is due on 3 February at 23:30 Shanghai, 15:30 UTC.
        let closed = shanghai(2026, 1, 31, 23, 30);
        assert_eq!(
            closed,
            Utc.with_ymd_and_hms(2026, 1, 31, 15, 30, 0).unwrap()
        );
        let rule = &plan("service").rules[0];
        let due = event_occurrences(rule, closed, Shanghai)[0].due_at;
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 2, 3, 15, 30, 0).unwrap());
        assert_eq!(
            due.with_timezone(&Shanghai).date_naive(),
            NaiveDate::from_ymd_opt(2026, 2, 3).unwrap()
        );
        // A day across the autumn clock change in Berlin is 25 hours, the wall time stays.
        let berlin = chrono_tz::Europe::Berlin;
        let evening = berlin
            .with_ymd_and_hms(2026, 10, 24, 18, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let next = shifted(evening, 1, 0, berlin);
        assert_eq!((next - evening).num_hours(), 25);
        let negative = RuleSpec {
            offset_days: -2,
            ..rule.clone()
        };
        let before = event_occurrences(&negative, closed, Shanghai)[0];
        assert_eq!(
            (before.opens_at, before.due_at),
            (shanghai(2026, 1, 29, 23, 30), closed)
        );
    }

    #[test]
    fn the_every_two_months_contact_falls_within_the_first_year() {
        let rule = delivery_rule("每两个月关怀");
        let delivered = shanghai(2026, 3, 10, 11, 0);
        let series = event_occurrences(&rule, delivered, Shanghai);
        assert_eq!(series.len(), 5);
        let opens: Vec<_> = series.iter().map(|o| o.opens_at).collect();
        // 60 days after 10 March is 9 May, then every two months.
        assert_eq!(
            opens,
            [
                shanghai(2026, 5, 9, 11, 0),
                shanghai(2026, 7, 9, 11, 0),
                shanghai(2026, 9, 9, 11, 0),
                shanghai(2026, 11, 9, 11, 0),
                shanghai(2027, 1, 9, 11, 0),
            ]
        );
        for (index, occurrence) in series.iter().enumerate() {
            assert_eq!(occurrence.index as usize, index);
            assert_eq!((occurrence.due_at - occurrence.opens_at).num_days(), 7);
        }
        assert!(series[4].due_at < shanghai(2027, 3, 10, 11, 0));
    }

    #[test]
    fn repeats_clamp_to_the_month_end_without_drifting() {
        // Delivered 31 October: 60 days on is 30 December; two months later there is no
        // 30 February, so 28 February; the series keeps the 30th after that.
        let rule = delivery_rule("每两个月关怀");
        let series = event_occurrences(&rule, shanghai(2026, 10, 31, 10, 0), Shanghai);
        let days: Vec<_> = series
            .iter()
            .map(|o| o.opens_at.with_timezone(&Shanghai).date_naive())
            .collect();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            days,
            [
                day(2026, 12, 30),
                day(2027, 2, 28),
                day(2027, 4, 30),
                day(2027, 6, 30),
                day(2027, 8, 30)
            ]
        );
        let monthly = RuleSpec {
            offset_days: 0,
            repeat_every_months: 1,
            repeat_count: 3,
            ..rule
        };
        let from_31_january = event_occurrences(&monthly, shanghai(2028, 1, 31, 10, 0), Shanghai);
        assert_eq!(from_31_january[1].opens_at, shanghai(2028, 2, 29, 10, 0));
        assert_eq!(from_31_january[2].opens_at, shanghai(2028, 3, 31, 10, 0));
    }

    #[test]
    fn months_are_counted_on_the_stores_calendar() {
        // 23:30 UTC on 30 April is already 1 May in Shanghai: a month later is 1 June there
        // (31 May 23:30 UTC), not 30 May as a UTC calendar would say.
        let monthly = RuleSpec {
            offset_days: 0,
            repeat_every_months: 1,
            repeat_count: 2,
            ..delivery_rule("每两个月关怀")
        };
        let delivered = Utc.with_ymd_and_hms(2026, 4, 30, 23, 30, 0).unwrap();
        let series = event_occurrences(&monthly, delivered, Shanghai);
        assert_eq!(series[0].opens_at, delivered);
        assert_eq!(
            series[1].opens_at,
            Utc.with_ymd_and_hms(2026, 5, 31, 23, 30, 0).unwrap()
        );
        assert_eq!(
            series[1].opens_at.with_timezone(&Shanghai).date_naive(),
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
        );
    }

    #[test]
    fn date_rules_open_at_nine_on_the_shifted_day() {
        let confirm = &plan("appointment").rules[0];
        let occurrence = date_occurrence(
            confirm,
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            Shanghai,
        );
        assert_eq!(occurrence.opens_at, shanghai(2026, 2, 28, 9, 0));
        assert_eq!(
            occurrence.due_at,
            Shanghai
                .with_ymd_and_hms(2026, 2, 28, 23, 59, 59)
                .unwrap()
                .with_timezone(&Utc)
        );
        let reminder = &plan("maintenance").rules[0];
        let due = NaiveDate::from_ymd_opt(2026, 7, 10).unwrap();
        assert_eq!(
            date_occurrence(reminder, due, Shanghai).opens_at,
            shanghai(2026, 6, 26, 9, 0)
        );
    }
}
