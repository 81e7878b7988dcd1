//! Message templates: the defaults, strict rendering, syntax checks.

use std::collections::HashSet;

use fours_notify::ChannelKind;
use fours_notify::templates::{LOCALES, check, default_templates, is_marketing, render};
use serde_json::json;

const CODES: [&str; 9] = [
    "delivery_thanks",
    "birthday",
    "family_birthday",
    "purchase_anniversary",
    "appointment_confirm",
    "vehicle_ready",
    "special_order_arrived",
    "survey_invite",
    "maintenance_reminder",
];

fn full_context() -> serde_json::Value {
    json!({
        "customer_name": "张伟",
        "store_name": "星辰汽车浦东店",
        "model": "星辰 S5 2025款",
        "member_name": "李娜",
        "years": 3,
        "appointment_time": "2026-03-08 09:30",
        "plate": "沪A12345",
        "part_name": "左前大灯总成",
        "survey_link": "https://fours.example.com/s/4f2a1",
        "due_on": "2026-04-01",
        "opt_out_link": "https://fours.example.com/u/0190",
    })
}

#[test]
fn every_code_has_every_channel_and_locale() {
    let defaults = default_templates();
    let keys: HashSet<_> = defaults
        .iter()
        .map(|t| (t.code, t.channel, t.locale))
        .collect();
    assert_eq!(keys.len(), defaults.len(), "no duplicates");
    for code in CODES {
        for channel in [ChannelKind::Sms, ChannelKind::Email, ChannelKind::Wechat] {
            for locale in LOCALES {
                assert!(
                    keys.contains(&(code, channel, locale)),
                    "{code}/{channel}/{locale}"
                );
            }
        }
    }
    assert_eq!(defaults.len(), CODES.len() * 3 * LOCALES.len());
}

#[test]
fn every_default_renders_with_a_full_context() {
    let context = full_context();
    for template in default_templates() {
        check(template.body).unwrap_or_else(|e| panic!("{template}: {}", e.message()));
        let body = render(template.body, &context)
            .unwrap_or_else(|e| panic!("{template}: {}", e.message()));
        assert!(
            !body.contains("{{") && !body.contains("}}"),
            "{template}: {body}"
        );
        assert!(
            body.contains("星辰汽车浦东店"),
            "{template} names the store: {body}"
        );
        assert!(
            body.contains("张伟"),
            "{template} names the customer: {body}"
        );
        match template.subject {
            Some(subject) => {
                let subject = render(subject, &context).unwrap();
                assert!(
                    !subject.trim().is_empty() && !subject.contains('\n'),
                    "{template}"
                );
                assert_eq!(template.channel, ChannelKind::Email, "{template}");
            }
            None => assert_ne!(
                template.channel,
                ChannelKind::Email,
                "{template} needs a subject"
            ),
        }
    }
}

#[test]
fn each_code_uses_its_own_variable() {
    let own = [
        ("delivery_thanks", "星辰 S5 2025款"),
        ("family_birthday", "李娜"),
        ("purchase_anniversary", "3"),
        ("appointment_confirm", "2026-03-08 09:30"),
        ("vehicle_ready", "沪A12345"),
        ("special_order_arrived", "左前大灯总成"),
        ("survey_invite", "https://fours.example.com/s/4f2a1"),
        ("maintenance_reminder", "2026-04-01"),
    ];
    let context = full_context();
    for template in default_templates() {
        if let Some((_, value)) = own.iter().find(|(code, _)| *code == template.code) {
            let body = render(template.body, &context).unwrap();
            assert!(body.contains(value), "{template}: {body}");
        }
    }
}

#[test]
fn sms_texts_are_signed_and_marketing_ones_can_be_declined() {
    for template in default_templates()
        .into_iter()
        .filter(|t| t.channel == ChannelKind::Sms)
    {
        assert!(
            template.body.starts_with("【{{ store_name }}】"),
            "{template}"
        );
        let opt_out = if template.locale == "en" {
            "Reply T to opt out"
        } else {
            "回T退订"
        };
        assert_eq!(
            template.body.ends_with(opt_out),
            is_marketing(template.code),
            "{template}"
        );
    }
}

#[test]
fn marketing_and_service_codes() {
    let marketing: Vec<_> = CODES
        .into_iter()
        .filter(|code| is_marketing(code))
        .collect();
    assert_eq!(
        marketing,
        [
            "birthday",
            "family_birthday",
            "purchase_anniversary",
            "maintenance_reminder"
        ]
    );
    assert!(!is_marketing("unknown"));
}

#[test]
fn english_anniversary_counts_years() {
    let one = json!({"customer_name": "Wei", "store_name": "Star", "years": 1});
    let template = default_templates()
        .into_iter()
        .find(|t| {
            t.code == "purchase_anniversary" && t.channel == ChannelKind::Wechat && t.locale == "en"
        })
        .unwrap();
    assert!(render(template.body, &one).unwrap().contains("for 1 year."));
}

#[test]
fn a_missing_variable_is_an_error() {
    let error = render(
        "您好，{{ customer_name }}！\n车牌：{{ plate }}",
        &json!({"customer_name": "张伟"}),
    )
    .unwrap_err();
    assert_eq!(error.line(), Some(2));
    assert!(
        error.message().starts_with("line 2: "),
        "{}",
        error.message()
    );
    assert!(error.message().contains("undefined"), "{}", error.message());
    assert_eq!(render("{{ a }}", &json!({"a": "x"})).unwrap(), "x");
    // A null would print as "none": it is refused too, unless the template gives a default.
    let null = json!({"a": null});
    assert_eq!(
        render("车牌：\n{{ a }}", &null).unwrap_err().line(),
        Some(2)
    );
    assert_eq!(
        render("[{{ a | default('', true) }}]", &null).unwrap(),
        "[]"
    );
    assert_eq!(
        render("{% if a %}x{% else %}y{% endif %}", &null).unwrap(),
        "y"
    );
}

#[test]
fn plain_text_is_not_escaped() {
    assert_eq!(
        render("{{ a }}", &json!({"a": "<b>&</b>"})).unwrap(),
        "<b>&</b>"
    );
}

#[test]
fn check_reports_the_line_of_a_syntax_error() {
    check("您好，{{ customer_name }}").unwrap();
    check("{{ never_defined }}").unwrap();
    let error = check("第一行\n您好，{{ customer_name ").unwrap_err();
    assert_eq!(error.line(), Some(2));
    assert!(
        error.message().starts_with("line 2: syntax error"),
        "{}",
        error.message()
    );
    assert_eq!(error.to_string(), error.message());
    assert!(check("{% if x %}open").is_err());
    // Unknown filters are found when rendering, not by the syntax check.
    assert!(render("{{ x | no_such_filter }}", &json!({"x": 1})).is_err());
}
