//! Satisfaction surveys: SSI after a sale, CSI after a service visit. A template is a list of
//! questions; each answer is normalised to 0–100 so that one index, one top-box share and one
//! low-score threshold work across scales. The seeds' rule CS = performance − expectation
//! (CS = 表现 − 期望) is asked as a pair of questions on the same scale: above expectation is
//! very satisfied, equal basically satisfied, below dissatisfied. NPS comes from the 0–10
//! "would you recommend us" question: % promoters (9–10) minus % detractors (0–6).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::vocabulary;

vocabulary!(
    /// How a question is answered.
    QuestionKind {
        /// 0–10 (the recommend question's scale).
        Scale10 => "scale10",
        /// 1–5 stars.
        Scale5 => "scale5",
        YesNo => "yes_no",
        /// One of the question's options (not scored).
        Choice => "choice",
        /// The customer's words (not scored).
        Text => "text",
    }
);

impl QuestionKind {
    /// Answers of this kind have a 0–100 score.
    pub fn is_scored(self) -> bool {
        matches!(
            self,
            QuestionKind::Scale10 | QuestionKind::Scale5 | QuestionKind::YesNo
        )
    }
}

vocabulary!(
    /// Which half of a paired question: what the customer expected, or what they got.
    Side {
        Expectation => "expectation",
        Performance => "performance",
    }
);

/// The pair a question belongs to: the two questions sharing `code` give one CS gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub code: String,
    pub side: Side,
}

/// One question of a template (stored as JSON on the template).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable within the template: `overall`, `recommend`, `wait_expected`…
    pub code: String,
    /// What the caller reads out, or the mobile page shows.
    pub text: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub required: bool,
    /// The choices of a `choice` question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair: Option<Pair>,
    /// The "would you recommend us" question (0–10) that NPS is computed from.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nps: bool,
}

impl Question {
    pub fn is_expectation(&self) -> bool {
        self.pair
            .as_ref()
            .is_some_and(|pair| pair.side == Side::Expectation)
    }

    /// Counts in the index and may be low: a scored answer about what the customer got (an
    /// expectation says what they wanted, not how satisfied they are).
    pub fn rates_satisfaction(&self) -> bool {
        self.kind.is_scored() && !self.is_expectation()
    }
}

/// An answer as given: a number (scales), yes/no, or words (choice, text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Flag(bool),
    Number(i64),
    Text(String),
}

impl Value {
    /// A value typed into a form (everything arrives as text) read as `kind` expects it.
    /// Empty means unanswered.
    pub fn from_form(kind: QuestionKind, raw: &str) -> Option<Value> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        Some(match kind {
            QuestionKind::Scale10 | QuestionKind::Scale5 => match raw.parse::<i64>() {
                Ok(number) => Value::Number(number),
                Err(_) => Value::Text(raw.to_owned()),
            },
            QuestionKind::YesNo => match raw {
                "yes" | "true" | "on" | "是" => Value::Flag(true),
                "no" | "false" | "否" => Value::Flag(false),
                other => Value::Text(other.to_owned()),
            },
            QuestionKind::Choice | QuestionKind::Text => Value::Text(raw.to_owned()),
        })
    }

    /// As stored in an answer row: `8`, `yes`/`no`, or the words.
    pub fn stored(&self) -> String {
        match self {
            Value::Flag(true) => "yes".to_owned(),
            Value::Flag(false) => "no".to_owned(),
            Value::Number(number) => number.to_string(),
            Value::Text(text) => text.trim().to_owned(),
        }
    }

    fn is_blank(&self) -> bool {
        matches!(self, Value::Text(text) if text.trim().is_empty())
    }
}

/// The answer's score on 0–100: 0–10 × 10, 1–5 → (v − 1) × 25, yes 100 / no 0; choices and
/// words have none. `None` also when the value does not fit the scale.
pub fn normalise(kind: QuestionKind, value: &Value) -> Option<i32> {
    match (kind, value) {
        (QuestionKind::Scale10, Value::Number(v)) if (0..=10).contains(v) => Some(*v as i32 * 10),
        (QuestionKind::Scale5, Value::Number(v)) if (1..=5).contains(v) => {
            Some((*v as i32 - 1) * 25)
        }
        (QuestionKind::YesNo, Value::Flag(yes)) => Some(if *yes { 100 } else { 0 }),
        _ => None,
    }
}

/// The best answer of its scale: 9–10 of 10, 5 of 5, yes. On the 0–100 score that is 90 and
/// above for every scored kind.
pub fn is_top_box(score: i32) -> bool {
    score >= TOP_BOX_FROM
}

/// The 0–100 score from which an answer is in the top box.
pub const TOP_BOX_FROM: i32 = 90;

/// An answer scoring below the store's threshold (0–100) asks for a call back.
pub fn is_low(score: i32, threshold: i32) -> bool {
    score < threshold
}

/// The satisfaction index: the mean of scored answers (0–100), one decimal.
pub fn index(scores: &[i32]) -> Option<f64> {
    if scores.is_empty() {
        return None;
    }
    let sum: i64 = scores.iter().map(|s| i64::from(*s)).sum();
    Some(tenths(sum as f64 / scores.len() as f64))
}

/// The share (percent, one decimal) of answers in the top box.
pub fn top_box_share(scores: &[i32]) -> Option<f64> {
    let top = scores.iter().filter(|s| is_top_box(**s)).count();
    percent(top as i64, scores.len() as i64)
}

/// A recommend answer of 9 or 10.
pub fn is_promoter(value: i32) -> bool {
    value >= 9
}

/// A recommend answer of 0 to 6.
pub fn is_detractor(value: i32) -> bool {
    value <= 6
}

/// NPS from the 0–10 recommend answers: % promoters minus % detractors (−100 to 100).
pub fn nps(values: &[i32]) -> Option<f64> {
    let promoters = values.iter().filter(|v| is_promoter(**v)).count() as i64;
    let detractors = values.iter().filter(|v| is_detractor(**v)).count() as i64;
    nps_from_counts(promoters, detractors, values.len() as i64)
}

/// NPS from counts (for reports that count in the database).
pub fn nps_from_counts(promoters: i64, detractors: i64, answers: i64) -> Option<f64> {
    if answers <= 0 {
        return None;
    }
    Some(tenths(
        (promoters - detractors) as f64 * 100.0 / answers as f64,
    ))
}

/// `part` of `total` in percent, one decimal.
pub fn percent(part: i64, total: i64) -> Option<f64> {
    (total > 0).then(|| tenths(part as f64 * 100.0 / total as f64))
}

fn tenths(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

vocabulary!(
    /// How the customer's experience compares with what they expected.
    Reading {
        /// 很满意: better than expected.
        Above => "above",
        /// 基本满意: as expected.
        Equal => "equal",
        /// 不满意: worse than expected.
        Below => "below",
    }
);

/// The CS gap of a paired question: performance − expectation (0–100 scores).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CsGap {
    pub gap: i32,
    pub reading: Reading,
}

pub fn cs_gap(expectation: i32, performance: i32) -> CsGap {
    let gap = performance - expectation;
    CsGap {
        gap,
        reading: reading(gap),
    }
}

/// Positive is above expectation, zero equal, negative below.
pub fn reading(gap: i32) -> Reading {
    match gap {
        g if g > 0 => Reading::Above,
        0 => Reading::Equal,
        _ => Reading::Below,
    }
}

/// A problem with one question of an answer set (or of a template), named by its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionError {
    /// The question's code; empty for the set as a whole.
    pub question: String,
    pub code: &'static str,
}

fn error(question: &str, code: &'static str) -> QuestionError {
    QuestionError {
        question: question.to_owned(),
        code,
    }
}

/// One checked answer, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub question: String,
    pub value: Value,
    pub score: Option<i32>,
}

/// What one response comes to.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// In the template's order; unanswered optional questions are left out.
    pub answers: Vec<Scored>,
    /// Mean of the satisfaction answers (expectations excluded), 0–100.
    pub index: Option<f64>,
    /// The recommend answer (0–10), when given.
    pub recommend: Option<i32>,
    /// Top-box share of the satisfaction answers, percent.
    pub top_box: Option<f64>,
    /// One per pair both of whose halves were answered, by pair code.
    pub gaps: BTreeMap<String, CsGap>,
    /// Satisfaction answers scoring below the threshold.
    pub low: Vec<String>,
}

/// Checks an answer set against the template: every required question answered, each value
/// of its question's kind and range, a choice among the options, no answer to a question the
/// template does not have. Returns every problem, each naming its question.
pub fn validate(
    questions: &[Question],
    answers: &[(String, Value)],
) -> Result<Vec<Scored>, Vec<QuestionError>> {
    let mut errors = Vec::new();
    let mut given: BTreeMap<&str, &Value> = BTreeMap::new();
    for (code, value) in answers {
        if !questions.iter().any(|q| q.code == *code) {
            errors.push(error("", "survey.unknown_question"));
        } else if given.insert(code.as_str(), value).is_some() {
            errors.push(error(code, "survey.answered_twice"));
        }
    }
    let mut scored = Vec::new();
    for question in questions {
        let Some(value) = given.get(question.code.as_str()).filter(|v| !v.is_blank()) else {
            if question.required {
                errors.push(error(&question.code, "required"));
            }
            continue;
        };
        let score = normalise(question.kind, value);
        let fits = match question.kind {
            QuestionKind::Scale10 | QuestionKind::Scale5 | QuestionKind::YesNo => score.is_some(),
            QuestionKind::Choice => {
                matches!(value, Value::Text(choice) if question.options.iter().any(|o| o == choice.trim()))
            }
            QuestionKind::Text => {
                matches!(value, Value::Text(words) if words.chars().count() <= MAX_WORDS)
            }
        };
        if !fits {
            errors.push(error(
                &question.code,
                match question.kind {
                    QuestionKind::Scale10 | QuestionKind::Scale5 => "survey.out_of_range",
                    QuestionKind::YesNo => "survey.yes_or_no",
                    QuestionKind::Choice => "survey.not_an_option",
                    QuestionKind::Text => "text.too_long",
                },
            ));
            continue;
        }
        scored.push(Scored {
            question: question.code.clone(),
            value: match value {
                Value::Text(text) => Value::Text(text.trim().to_owned()),
                other => (*other).clone(),
            },
            score,
        });
    }
    if errors.is_empty() {
        Ok(scored)
    } else {
        Err(errors)
    }
}

/// The longest comment kept (characters).
pub const MAX_WORDS: usize = 2000;

/// Validates the answers and scores the response: its index, recommend value, top box, the
/// CS gaps of its pairs and its low answers (below `threshold`).
pub fn score(
    questions: &[Question],
    answers: &[(String, Value)],
    threshold: i32,
) -> Result<Outcome, Vec<QuestionError>> {
    let answers = validate(questions, answers)?;
    let question = |code: &str| questions.iter().find(|q| q.code == code);
    let satisfaction: Vec<(&str, i32)> = answers
        .iter()
        .filter_map(|a| {
            let q = question(&a.question)?;
            Some((
                a.question.as_str(),
                a.score.filter(|_| q.rates_satisfaction())?,
            ))
        })
        .collect();
    let scores: Vec<i32> = satisfaction.iter().map(|(_, s)| *s).collect();
    let recommend = answers
        .iter()
        .find_map(|a| match (question(&a.question), &a.value) {
            (Some(q), Value::Number(v)) if q.nps => Some(*v as i32),
            _ => None,
        });
    let mut gaps = BTreeMap::new();
    for q in questions.iter().filter(|q| q.is_expectation()) {
        let Some(pair) = &q.pair else { continue };
        let performance = questions.iter().find(|other| {
            other
                .pair
                .as_ref()
                .is_some_and(|p| p.code == pair.code && p.side == Side::Performance)
        });
        let score_of = |code: &str| {
            answers
                .iter()
                .find(|a| a.question == code)
                .and_then(|a| a.score)
        };
        if let (Some(expected), Some(got)) = (
            score_of(&q.code),
            performance.and_then(|p| score_of(&p.code)),
        ) {
            gaps.insert(pair.code.clone(), cs_gap(expected, got));
        }
    }
    let low = satisfaction
        .iter()
        .filter(|(_, s)| is_low(*s, threshold))
        .map(|(code, _)| (*code).to_owned())
        .collect();
    Ok(Outcome {
        index: index(&scores),
        top_box: top_box_share(&scores),
        recommend,
        gaps,
        low,
        answers,
    })
}

/// The most questions a template may have.
pub const MAX_QUESTIONS: usize = 40;

/// A question code: 1–32 of a–z, 0–9 and `_`, starting with a letter.
pub fn valid_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks a template's questions: at least one and at most [`MAX_QUESTIONS`], codes valid and
/// unique, words present, choices with at least two options, at most one recommend question
/// (0–10), and pairs whole: one expectation and one performance of the same scored kind.
pub fn validate_template(questions: &[Question]) -> Result<(), Vec<QuestionError>> {
    let mut errors = Vec::new();
    if questions.is_empty() {
        errors.push(error("", "survey.no_questions"));
    }
    if questions.len() > MAX_QUESTIONS {
        errors.push(error("", "survey.too_many_questions"));
    }
    let mut seen = HashSet::new();
    for q in questions {
        if !valid_code(&q.code) {
            errors.push(error("", "survey.code_format"));
            continue;
        }
        if !seen.insert(q.code.as_str()) {
            errors.push(error(&q.code, "survey.duplicate_code"));
        }
        if q.text.trim().is_empty() {
            errors.push(error(&q.code, "required"));
        }
        let distinct: HashSet<&str> = q.options.iter().map(|o| o.trim()).collect();
        if q.kind == QuestionKind::Choice
            && (distinct.len() < 2 || q.options.iter().any(|o| o.trim().is_empty()))
        {
            errors.push(error(&q.code, "survey.options"));
        }
        if q.nps && q.kind != QuestionKind::Scale10 {
            errors.push(error(&q.code, "survey.nps_scale"));
        }
        if q.pair.is_some() && (!q.kind.is_scored() || q.nps) {
            errors.push(error(&q.code, "survey.pair_kind"));
        }
    }
    if questions.iter().filter(|q| q.nps).count() > 1 {
        errors.push(error("", "survey.one_recommend"));
    }
    let mut pairs: BTreeMap<&str, Vec<&Question>> = BTreeMap::new();
    for q in questions {
        if let Some(pair) = &q.pair {
            pairs.entry(pair.code.as_str()).or_default().push(q);
        }
    }
    for (code, halves) in pairs {
        let sides: Vec<Side> = halves
            .iter()
            .filter_map(|q| q.pair.as_ref().map(|p| p.side))
            .collect();
        let whole = halves.len() == 2
            && sides.contains(&Side::Expectation)
            && sides.contains(&Side::Performance)
            && halves[0].kind == halves[1].kind;
        if !whole || !valid_code(code) {
            let at = halves.first().map_or("", |q| q.code.as_str());
            errors.push(error(at, "survey.pair_incomplete"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The touch points (moments of truth) the default templates ask about.
pub mod touch_points {
    /// The car handed over (SSI).
    pub const DELIVERY: &str = "delivery";
    /// The car back from the workshop (CSI).
    pub const SERVICE: &str = "service";
}

/// A default template: code, name, touch point, questions.
pub struct DefaultTemplate {
    pub code: &'static str,
    pub name: &'static str,
    pub touch_point: &'static str,
    pub questions: Vec<Question>,
}

fn question(code: &str, text: &str, kind: QuestionKind, required: bool) -> Question {
    Question {
        code: code.to_owned(),
        text: text.to_owned(),
        kind,
        required,
        options: Vec::new(),
        pair: None,
        nps: false,
    }
}

fn paired(code: &str, text: &str, pair: &str, side: Side) -> Question {
    Question {
        pair: Some(Pair {
            code: pair.to_owned(),
            side,
        }),
        ..question(code, text, QuestionKind::Scale5, true)
    }
}

fn recommend(text: &str) -> Question {
    Question {
        nps: true,
        ..question("recommend", text, QuestionKind::Scale10, true)
    }
}

/// The seeds' two surveys: SSI after the delivery call, CSI after the service follow-up call.
pub fn default_templates() -> Vec<DefaultTemplate> {
    use QuestionKind::*;
    vec![
        DefaultTemplate {
            code: "ssi",
            name: "销售满意度回访（SSI）",
            touch_point: touch_points::DELIVERY,
            questions: vec![
                question(
                    "overall",
                    "您对本次购车的整体经历满意吗？请打 0–10 分。",
                    Scale10,
                    true,
                ),
                recommend("您有多大可能向亲友推荐我们店？请打 0–10 分。"),
                question(
                    "consultant",
                    "您对销售顾问的服务态度和专业程度打几分？（1–5 分）",
                    Scale5,
                    true,
                ),
                paired(
                    "handover_expected",
                    "交车等候时间：您事先期望的程度（1–5 分，5 分为期望很高）",
                    "handover_time",
                    Side::Expectation,
                ),
                paired(
                    "handover_actual",
                    "交车等候时间：实际感受（1–5 分，5 分为非常满意）",
                    "handover_time",
                    Side::Performance,
                ),
                question(
                    "delivery_explained",
                    "交车时销售顾问是否为您讲解了车辆功能、首保时间和保养知识？",
                    YesNo,
                    true,
                ),
                question("comments", "您对我们还有什么意见或建议？", Text, false),
            ],
        },
        DefaultTemplate {
            code: "csi",
            name: "售后服务满意度回访（CSI）",
            touch_point: touch_points::SERVICE,
            questions: vec![
                question(
                    "overall",
                    "您对本次维修保养服务的整体满意度？请打 0–10 分。",
                    Scale10,
                    true,
                ),
                recommend("您有多大可能向亲友推荐我们的售后服务？请打 0–10 分。"),
                question(
                    "advisor",
                    "您对服务顾问的接待、解释和沟通打几分？（1–5 分）",
                    Scale5,
                    true,
                ),
                paired(
                    "waiting_expected",
                    "等候时间：您来店前期望的程度（1–5 分，5 分为期望很高）",
                    "waiting_time",
                    Side::Expectation,
                ),
                paired(
                    "waiting_actual",
                    "等候时间：实际感受（1–5 分，5 分为非常满意）",
                    "waiting_time",
                    Side::Performance,
                ),
                question("fixed_first_time", "车辆问题是否一次修好？", YesNo, true),
                question(
                    "work_explained",
                    "交车时服务顾问是否向您解释了维修项目和费用？",
                    YesNo,
                    true,
                ),
                question("comments", "您对我们还有什么意见或建议？", Text, false),
            ],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: &str, value: Value) -> (String, Value) {
        (code.to_owned(), value)
    }

    fn csi() -> Vec<Question> {
        default_templates()
            .into_iter()
            .find(|t| t.code == "csi")
            .unwrap()
            .questions
    }

    #[test]
    fn answers_normalise_to_a_hundred() {
        use QuestionKind::*;
        assert_eq!(normalise(Scale10, &Value::Number(0)), Some(0));
        assert_eq!(normalise(Scale10, &Value::Number(8)), Some(80));
        assert_eq!(normalise(Scale10, &Value::Number(11)), None);
        assert_eq!(normalise(Scale5, &Value::Number(1)), Some(0));
        assert_eq!(normalise(Scale5, &Value::Number(4)), Some(75));
        assert_eq!(normalise(Scale5, &Value::Number(5)), Some(100));
        assert_eq!(normalise(Scale5, &Value::Number(0)), None);
        assert_eq!(normalise(YesNo, &Value::Flag(true)), Some(100));
        assert_eq!(normalise(YesNo, &Value::Flag(false)), Some(0));
        assert_eq!(normalise(Choice, &Value::Text("好".into())), None);
        assert_eq!(normalise(Text, &Value::Text("很好".into())), None);
    }

    #[test]
    fn top_box_is_nine_or_ten_five_stars_or_yes() {
        assert!(is_top_box(
            normalise(QuestionKind::Scale10, &Value::Number(9)).unwrap()
        ));
        assert!(!is_top_box(
            normalise(QuestionKind::Scale10, &Value::Number(8)).unwrap()
        ));
        assert!(is_top_box(
            normalise(QuestionKind::Scale5, &Value::Number(5)).unwrap()
        ));
        assert!(!is_top_box(
            normalise(QuestionKind::Scale5, &Value::Number(4)).unwrap()
        ));
        assert!(is_top_box(
            normalise(QuestionKind::YesNo, &Value::Flag(true)).unwrap()
        ));
        assert_eq!(top_box_share(&[100, 90, 80, 0]), Some(50.0));
        assert_eq!(top_box_share(&[]), None);
    }

    #[test]
    fn index_and_nps() {
        assert_eq!(index(&[100, 75, 80]), Some(85.0));
        assert_eq!(index(&[100, 75]), Some(87.5));
        assert_eq!(index(&[]), None);
        // Two promoters, one passive, one detractor: 50% − 25% = 25.
        assert_eq!(nps(&[10, 9, 8, 3]), Some(25.0));
        assert_eq!(nps(&[6, 0]), Some(-100.0));
        assert_eq!(nps(&[]), None);
        assert_eq!(nps_from_counts(1, 2, 3), Some(-33.3));
    }

    #[test]
    fn the_cs_gap_reads_performance_minus_expectation() {
        assert_eq!(
            cs_gap(75, 100),
            CsGap {
                gap: 25,
                reading: Reading::Above
            }
        );
        assert_eq!(cs_gap(75, 75).reading, Reading::Equal);
        assert_eq!(
            cs_gap(100, 50),
            CsGap {
                gap: -50,
                reading: Reading::Below
            }
        );
    }

    #[test]
    fn low_means_below_the_threshold() {
        assert!(is_low(50, 60));
        assert!(!is_low(60, 60));
    }

    #[test]
    fn a_response_is_scored() {
        let answers = vec![
            answer("overall", Value::Number(8)),
            answer("recommend", Value::Number(10)),
            answer("advisor", Value::Number(5)),
            answer("waiting_expected", Value::Number(4)),
            answer("waiting_actual", Value::Number(2)),
            answer("fixed_first_time", Value::Flag(true)),
            answer("work_explained", Value::Flag(false)),
            answer("comments", Value::Text("  等太久了 ".into())),
        ];
        let outcome = score(&csi(), &answers, 60).unwrap();
        // Satisfaction answers: 80, 100, 100, 25, 100, 0 (the expectation is left out).
        assert_eq!(outcome.index, Some(67.5));
        assert_eq!(outcome.recommend, Some(10));
        assert_eq!(outcome.top_box, Some(50.0));
        assert_eq!(
            outcome.gaps["waiting_time"],
            CsGap {
                gap: -50,
                reading: Reading::Below
            }
        );
        assert_eq!(outcome.low, ["waiting_actual", "work_explained"]);
        assert_eq!(outcome.answers.len(), 8);
        let comment = outcome.answers.last().unwrap();
        assert_eq!(comment.value, Value::Text("等太久了".into()));
        assert_eq!(comment.score, None);
    }

    #[test]
    fn bad_answer_sets_name_each_question() {
        let answers = vec![
            answer("overall", Value::Number(11)),
            answer("advisor", Value::Number(0)),
            answer("fixed_first_time", Value::Text("maybe".into())),
            answer("nonsense", Value::Number(1)),
        ];
        let errors = validate(&csi(), &answers).unwrap_err();
        let named: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.question.as_str(), e.code))
            .collect();
        assert!(named.contains(&("", "survey.unknown_question")));
        assert!(named.contains(&("overall", "survey.out_of_range")));
        assert!(named.contains(&("advisor", "survey.out_of_range")));
        assert!(named.contains(&("fixed_first_time", "survey.yes_or_no")));
        assert!(named.contains(&("recommend", "required")));
        assert!(named.contains(&("work_explained", "required")));
        // The optional comment may be left out.
        assert!(!named.iter().any(|(q, _)| *q == "comments"));
    }

    #[test]
    fn a_choice_must_be_one_of_the_options() {
        let questions = vec![Question {
            options: vec!["电话".into(), "微信".into()],
            ..question(
                "contact",
                "您希望我们怎样联系您？",
                QuestionKind::Choice,
                true,
            )
        }];
        assert!(validate(&questions, &[answer("contact", Value::Text("微信".into()))]).is_ok());
        let errors = validate(&questions, &[answer("contact", Value::Text("传真".into()))]);
        assert_eq!(
            errors.unwrap_err(),
            [QuestionError {
                question: "contact".into(),
                code: "survey.not_an_option"
            }]
        );
    }

    #[test]
    fn form_values_are_read_by_kind() {
        use QuestionKind::*;
        assert_eq!(Value::from_form(Scale10, " 9 "), Some(Value::Number(9)));
        assert_eq!(Value::from_form(YesNo, "yes"), Some(Value::Flag(true)));
        assert_eq!(Value::from_form(YesNo, "否"), Some(Value::Flag(false)));
        assert_eq!(Value::from_form(Text, "  "), None);
        assert_eq!(Value::Flag(false).stored(), "no");
        assert_eq!(Value::Number(7).stored(), "7");
    }

    #[test]
    fn the_default_templates_are_valid_and_paired() {
        for template in default_templates() {
            assert_eq!(
                validate_template(&template.questions),
                Ok(()),
                "{}",
                template.code
            );
            assert_eq!(template.questions.iter().filter(|q| q.nps).count(), 1);
            assert_eq!(
                template
                    .questions
                    .iter()
                    .filter(|q| q.pair.is_some())
                    .count(),
                2
            );
        }
    }

    #[test]
    fn broken_templates_are_refused() {
        let mut questions = csi();
        questions.retain(|q| q.code != "waiting_actual");
        questions.push(question("overall", "重复", QuestionKind::Scale10, true));
        questions.push(Question {
            nps: true,
            ..question("again", "再推荐", QuestionKind::Scale5, true)
        });
        questions.push(question("Bad Code", "x", QuestionKind::Text, false));
        questions.push(question("pick", "选一个", QuestionKind::Choice, true));
        let codes: Vec<&str> = validate_template(&questions)
            .unwrap_err()
            .iter()
            .map(|e| e.code)
            .collect();
        for expected in [
            "survey.pair_incomplete",
            "survey.duplicate_code",
            "survey.nps_scale",
            "survey.one_recommend",
            "survey.code_format",
            "survey.options",
        ] {
            assert!(codes.contains(&expected), "{expected} in {codes:?}");
        }
        assert_eq!(
            validate_template(&[]).unwrap_err()[0].code,
            "survey.no_questions"
        );
    }

    #[test]
    fn serde_names_are_the_stored_names() {
        use serde::de::{IntoDeserializer, value::Error};
        for kind in QuestionKind::ALL {
            let parsed = QuestionKind::deserialize(IntoDeserializer::<Error>::into_deserializer(
                kind.as_str(),
            ));
            assert_eq!(parsed, Ok(kind));
        }
        for side in Side::ALL {
            let parsed =
                Side::deserialize(IntoDeserializer::<Error>::into_deserializer(side.as_str()));
            assert_eq!(parsed, Ok(side));
        }
    }
}
