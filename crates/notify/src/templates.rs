//! Message templates (Jinja syntax, rendered with minijinja) and the built-in defaults.
//!
//! A store may replace any default with its own text; [`check`] validates what an administrator
//! saves and [`render`] fills it in when a message is queued. Rendering is strict: a variable
//! the context does not have, or has as null, is an error, never an empty gap (or a "none")
//! in a customer's message.
//! Output is not HTML-escaped: every message is plain text.
//!
//! # Marketing and service messages
//!
//! [`is_marketing`] sorts the codes in two. Care and marketing messages (birthday,
//! family_birthday, purchase_anniversary, maintenance_reminder) are sent on the dealer's own
//! initiative to keep the relationship going: under the PIPL they need the customer's separate
//! consent, and SMS carriers' rules require an opt-out ("回T退订"), so the store sends them only
//! to customers with marketing consent and the default SMS texts end with the opt-out.
//! Service messages (delivery_thanks, appointment_confirm, vehicle_ready,
//! special_order_arrived, survey_invite) follow from something the customer bought or booked
//! and are needed to carry out that contract, so they go without marketing consent. A
//! maintenance reminder is counted as marketing: it invites a new visit the customer did not
//! ask for.

use std::fmt;

use minijinja::value::Serde;
use minijinja::{Environment, ErrorKind, UndefinedBehavior, escape_formatter};

use crate::ChannelKind;

/// A template that does not compile or does not render.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.message())]
pub struct TemplateError(minijinja::Error);

impl TemplateError {
    /// The template line the error is on (1-based), when known.
    pub fn line(&self) -> Option<usize> {
        self.0.line()
    }

    /// What is wrong and where, for the administrator editing the template, e.g.
    /// "line 2: syntax error: unexpected end of input, expected end of variable block".
    pub fn message(&self) -> String {
        let what = match self.0.detail() {
            Some(detail) => format!("{}: {detail}", self.0.kind()),
            None => self.0.kind().to_string(),
        };
        match self.line() {
            Some(line) => format!("line {line}: {what}"),
            None => what,
        }
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // A null (a fact the store does not have, such as a car without a plate) would print as
    // "none": refuse it like an undefined variable. `{{ x | default("", true) }}` opts out.
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            return Err(minijinja::Error::new(
                ErrorKind::UndefinedError,
                "the value is null",
            ));
        }
        escape_formatter(out, state, value)
    });
    env
}

/// Renders `source` with the variables of `context` (a JSON object). Printing a variable the
/// context lacks, or has as null, is an error.
pub fn render(source: &str, context: &serde_json::Value) -> Result<String, TemplateError> {
    environment()
        .render_str(source, Serde(context))
        .map_err(TemplateError)
}

/// Checks that `source` is a well-formed template (syntax only: variables are not known yet).
pub fn check(source: &str) -> Result<(), TemplateError> {
    let env = environment();
    env.template_from_str(source)
        .map(|_| ())
        .map_err(TemplateError)
}

/// Whether messages of `code` are marketing or care (need marketing consent, carry an
/// opt-out), as opposed to service messages; see the module documentation.
pub fn is_marketing(code: &str) -> bool {
    matches!(
        code,
        "birthday" | "family_birthday" | "purchase_anniversary" | "maintenance_reminder"
    )
}

/// The locales the defaults come in; the first is the default.
pub const LOCALES: [&str; 2] = ["zh-CN", "en"];

/// A built-in template, used until a store saves its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefaultTemplate {
    pub code: &'static str,
    pub channel: ChannelKind,
    /// "zh-CN" | "en"
    pub locale: &'static str,
    /// E-mail only.
    pub subject: Option<&'static str>,
    pub body: &'static str,
}

impl fmt::Display for DefaultTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.code, self.channel, self.locale)
    }
}

/// The tail of each text by kind of message: marketing texts carry an opt-out.
macro_rules! opt_out {
    (marketing, sms_zh) => {
        " 回T退订"
    };
    (marketing, sms_en) => {
        " Reply T to opt out"
    };
    (marketing, email_zh) => {
        "\n\n如不希望再收到此类消息，请点击退订：{{ opt_out_link }}"
    };
    (marketing, email_en) => {
        "\n\nTo stop receiving these messages: {{ opt_out_link }}"
    };
    (service, $any:ident) => {
        ""
    };
}

/// The six defaults of one code (SMS, e-mail and WeChat, in Chinese and English) from its
/// core text: SMS adds the store's signature 【…】 in front, e-mail a subject and the store's
/// name below, WeChat takes the text as it is.
macro_rules! family {
    ($code:literal, $kind:ident,
     zh: $zh_subject:literal, $zh:literal,
     en: $en_subject:literal, $en:literal $(,)?) => {
        [
            DefaultTemplate {
                code: $code,
                channel: ChannelKind::Sms,
                locale: "zh-CN",
                subject: None,
                body: concat!("【{{ store_name }}】", $zh, opt_out!($kind, sms_zh)),
            },
            DefaultTemplate {
                code: $code,
                channel: ChannelKind::Sms,
                locale: "en",
                subject: None,
                body: concat!("【{{ store_name }}】", $en, opt_out!($kind, sms_en)),
            },
            DefaultTemplate {
                code: $code,
                channel: ChannelKind::Email,
                locale: "zh-CN",
                subject: Some($zh_subject),
                body: concat!($zh, "\n\n{{ store_name }}", opt_out!($kind, email_zh)),
            },
            DefaultTemplate {
                code: $code,
                channel: ChannelKind::Email,
                locale: "en",
                subject: Some($en_subject),
                body: concat!($en, "\n\n{{ store_name }}", opt_out!($kind, email_en)),
            },
            DefaultTemplate {
                code: $code,
                channel: ChannelKind::Wechat,
                locale: "zh-CN",
                subject: None,
                body: $zh,
            },
            DefaultTemplate {
                code: $code,
                channel: ChannelKind::Wechat,
                locale: "en",
                subject: None,
                body: $en,
            },
        ]
    };
}

/// The built-in templates: every code for every channel, in Chinese and English.
///
/// Every template may use `customer_name` and `store_name`; the others by code:
/// delivery_thanks `model`, family_birthday `member_name`, purchase_anniversary `years`,
/// appointment_confirm `appointment_time`, vehicle_ready `plate`, special_order_arrived
/// `part_name`, survey_invite `survey_link`, maintenance_reminder `due_on`.
pub fn default_templates() -> Vec<DefaultTemplate> {
    [
        family!("delivery_thanks", service,
            zh: "感谢您选择{{ store_name }}",
            "{{ customer_name }}，恭喜您喜提爱车{{ model }}！感谢您选择{{ store_name }}，用车中有任何问题，欢迎随时联系我们。",
            en: "Thank you for choosing {{ store_name }}",
            "Dear {{ customer_name }}, congratulations on your new {{ model }} and thank you for choosing {{ store_name }}. If you need anything on the road, we are here to help.",
        ),
        family!("birthday", marketing,
            zh: "生日快乐！",
            "{{ customer_name }}，祝您生日快乐！{{ store_name }}全体同仁祝您新的一岁平安顺遂，用车愉快。",
            en: "Happy birthday from {{ store_name }}",
            "Happy birthday, {{ customer_name }}! Everyone at {{ store_name }} wishes you a wonderful year and safe journeys.",
        ),
        family!("family_birthday", marketing,
            zh: "祝{{ member_name }}生日快乐",
            "{{ customer_name }}，今天是{{ member_name }}的生日，{{ store_name }}祝{{ member_name }}生日快乐，祝您阖家幸福！",
            en: "Happy birthday to {{ member_name }}",
            "Dear {{ customer_name }}, today is {{ member_name }}'s birthday. {{ store_name }} wishes {{ member_name }} a very happy birthday and your family every happiness!",
        ),
        family!("purchase_anniversary", marketing,
            zh: "购车{{ years }}周年",
            "{{ customer_name }}，您的爱车已陪伴您{{ years }}年，感谢您一路以来对{{ store_name }}的信任与支持！",
            en: "{{ years }} {{ 'year' if years == 1 else 'years' }} with your car",
            "Dear {{ customer_name }}, your car has been with you for {{ years }} {{ 'year' if years == 1 else 'years' }}. Thank you for your trust in {{ store_name }}!",
        ),
        family!("appointment_confirm", service,
            zh: "预约确认：{{ appointment_time }}",
            "{{ customer_name }}，您已预约{{ appointment_time }}到{{ store_name }}保养维修，请准时到店。如需改期，请提前联系我们。",
            en: "Appointment confirmed: {{ appointment_time }}",
            "Dear {{ customer_name }}, your service appointment at {{ store_name }} is confirmed for {{ appointment_time }}. If you need to reschedule, please let us know in advance.",
        ),
        family!("vehicle_ready", service,
            zh: "车辆已完工：{{ plate }}",
            "{{ customer_name }}，您的爱车{{ plate }}已完工，欢迎到{{ store_name }}取车。",
            en: "Your car {{ plate }} is ready",
            "Dear {{ customer_name }}, the work on your car {{ plate }} is finished. You are welcome to pick it up at {{ store_name }}.",
        ),
        family!("special_order_arrived", service,
            zh: "订货已到：{{ part_name }}",
            "{{ customer_name }}，您订购的{{ part_name }}已到货，请联系{{ store_name }}预约安装。",
            en: "Your order has arrived: {{ part_name }}",
            "Dear {{ customer_name }}, the {{ part_name }} you ordered has arrived. Please contact {{ store_name }} to book the fitting.",
        ),
        family!("survey_invite", service,
            zh: "邀请您评价本次服务",
            "{{ customer_name }}，感谢您光临{{ store_name }}，请花一分钟为本次服务打分：{{ survey_link }}",
            en: "How did we do?",
            "Dear {{ customer_name }}, thank you for visiting {{ store_name }}. Please take a minute to rate our service: {{ survey_link }}",
        ),
        family!("maintenance_reminder", marketing,
            zh: "保养提醒",
            "{{ customer_name }}，您的爱车将于{{ due_on }}到期保养，欢迎提前预约{{ store_name }}，到店免排队。",
            en: "Maintenance reminder",
            "Dear {{ customer_name }}, your car is due for maintenance on {{ due_on }}. Book your visit at {{ store_name }} in advance to skip the queue.",
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}
