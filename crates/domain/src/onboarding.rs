//! Reading a dealership's legacy data: which column means what, and how the values old DMS
//! exports and spreadsheets hold (`2019/5/3`, `男`, `15.98万`, `是`) read as Fours values.
//! Normalising only rewrites the form; validity is judged afterwards by the same rules as the API.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::money::parse_yuan;
use crate::validation::Invalid;

/// Which record an import column fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Customer,
    Vehicle,
}

/// A field an import can fill: its API name and the headers that mean it.
#[derive(Debug)]
pub struct ImportField {
    pub key: &'static str,
    pub target: Target,
    synonyms: &'static [&'static str],
}

macro_rules! fields {
    ($($key:literal $target:ident [$($synonym:literal),*]),* $(,)?) => {
        &[$(ImportField { key: $key, target: Target::$target, synonyms: &[$($synonym),*] }),*]
    };
}

/// Every importable field, in the order exports write them. Synonyms are compared after
/// [`header_key`]; the first of each list is the Chinese header Fours itself writes.
pub const IMPORT_FIELDS: &[ImportField] = fields![
    "name" Customer ["姓名", "客户姓名", "客户名称", "客户", "车主", "车主姓名", "联系人", "name", "customer", "customername", "fullname"],
    "gender" Customer ["性别", "gender", "sex"],
    "mobile" Customer ["手机号码", "手机", "手机号", "联系电话", "电话", "联系方式", "移动电话", "客户电话", "mobile", "phone", "mobilephone", "cell", "tel"],
    "wechat" Customer ["微信号", "微信", "wechat"],
    "email" Customer ["电子邮箱", "邮箱", "电子邮件", "email", "e-mail"],
    "birthday" Customer ["生日", "出生日期", "birthday", "dateofbirth", "dob"],
    "id_number" Customer ["身份证号", "身份证", "身份证号码", "证件号", "证件号码", "idnumber", "residentid", "id"],
    "address" Customer ["地址", "联系地址", "家庭住址", "住址", "address"],
    "postcode" Customer ["邮编", "邮政编码", "postcode", "zip", "zipcode"],
    "occupation" Customer ["职业", "occupation"],
    "compound" Customer ["居住小区", "小区", "compound"],
    "source" Customer ["客户来源", "来源", "source"],
    "preferred_channel" Customer ["首选联系方式", "联系偏好", "preferredchannel"],
    "marketing_consent" Customer ["同意接收营销信息", "同意营销", "营销同意", "marketingconsent"],
    "notes" Customer ["备注", "notes", "remark", "remarks"],
    "vin" Vehicle ["车架号", "底盘号", "vin", "vin码", "车辆识别代号", "车辆识别号"],
    "plate" Vehicle ["车牌号", "车牌", "车牌号码", "plate", "licenceplate", "licenseplate"],
    "engine_no" Vehicle ["发动机号", "发动机号码", "engineno", "enginenumber"],
    "brand" Vehicle ["品牌", "brand"],
    "series" Vehicle ["车系", "series"],
    "model" Vehicle ["车型", "model"],
    "trim" Vehicle ["配置", "版本", "trim"],
    "colour" Vehicle ["颜色", "车身颜色", "colour", "color"],
    "production_date" Vehicle ["生产日期", "productiondate"],
    "delivery_date" Vehicle ["购车日期", "交车日期", "销售日期", "开票日期", "deliverydate", "purchasedate"],
    "licence_date" Vehicle ["上牌日期", "登记日期", "licencedate", "registrationdate"],
    "purchase_price" Vehicle ["购车价格", "成交价", "购车价", "价格", "purchaseprice", "price"],
    "insurer" Vehicle ["保险公司", "insurer"],
    "insurance_expiry" Vehicle ["保险到期", "保险到期日", "insuranceexpiry"],
    "mileage_km" Vehicle ["当前里程", "里程", "行驶里程", "公里数", "mileage", "odometer"],
];

pub fn import_field(key: &str) -> Option<&'static ImportField> {
    IMPORT_FIELDS.iter().find(|field| field.key == key)
}

impl ImportField {
    /// The header Fours writes for this field, which imports recognise.
    pub fn header(&self) -> &'static str {
        self.synonyms[0]
    }
}

/// A header as compared: lower case, without spaces, marks (`*`, `:`, `_`) or a parenthesised
/// remark, so `车架号(VIN)`, `* 手机号码：` and `Mobile_Phone` all find their field.
pub fn header_key(header: &str) -> String {
    let mut key = String::with_capacity(header.len());
    let mut depth = 0usize;
    for c in header.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() || matches!(c, '*' | ':' | '：' | '_' | '\u{feff}') => {}
            c => key.extend(c.to_lowercase()),
        }
    }
    key
}

/// The field a header means, if it is one Fours knows.
pub fn recognise(header: &str) -> Option<&'static ImportField> {
    let key = header_key(header);
    IMPORT_FIELDS
        .iter()
        .find(|field| field.synonyms.contains(&key.as_str()))
}

/// For each column of a file, the field it fills (`None`: ignored). Explicit choices (header →
/// field key, or an empty key to ignore a column) win over recognised synonyms; a field is
/// filled by its first column only.
pub fn map_columns(
    headers: &[String],
    choices: &HashMap<String, String>,
) -> Result<Vec<Option<&'static str>>, UnknownField> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|header| {
            let field = match choices.get(header.trim()) {
                Some(key) if key.is_empty() => None,
                Some(key) => Some(import_field(key).ok_or_else(|| UnknownField(key.clone()))?),
                None => recognise(header),
            };
            Ok(field.map(|f| f.key).filter(|key| {
                let first = !taken.contains(key);
                taken.push(key);
                first
            }))
        })
        .collect()
}

/// A mapping names a field Fours does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown import field `{0}`")]
pub struct UnknownField(pub String);

/// What to do when a row matches a record that already exists (by mobile, resident ID or VIN),
/// in the database or earlier in the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Leave the existing record as it is.
    #[default]
    Skip,
    /// Fill only the existing record's empty fields.
    Update,
    /// Replace existing values with the row's non-empty ones.
    Overwrite,
}

impl OnDuplicate {
    pub fn parse(name: &str) -> Option<OnDuplicate> {
        match name {
            "skip" => Some(OnDuplicate::Skip),
            "update" => Some(OnDuplicate::Update),
            "overwrite" => Some(OnDuplicate::Overwrite),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OnDuplicate::Skip => "skip",
            OnDuplicate::Update => "update",
            OnDuplicate::Overwrite => "overwrite",
        }
    }
}

/// `2019/5/3`, `2019.5.3`, `20190503`, `2019年5月3日`, `2019-05-03 10:20:00` → `2019-05-03`.
/// Anything else is returned as typed, for the API rule to reject.
pub fn normalize_date(raw: &str) -> String {
    let raw = raw.trim();
    let day_part = raw.split([' ', 'T']).next().unwrap_or(raw);
    let unified: String = day_part
        .trim_end_matches('日')
        .chars()
        .map(|c| {
            if matches!(c, '/' | '.' | '年' | '月') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let parsed = NaiveDate::parse_from_str(&unified, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&unified, "%Y%m%d"));
    match parsed {
        Ok(day) if unified.len() >= 8 => day.format("%Y-%m-%d").to_string(),
        _ => raw.to_owned(),
    }
}

/// `男`/`M` → `male`, `女`/`F` → `female`.
pub fn normalize_gender(raw: &str) -> String {
    match raw.trim().to_lowercase().as_str() {
        "男" | "m" | "male" | "先生" => "male".into(),
        "女" | "f" | "female" | "女士" => "female".into(),
        other => other.to_owned(),
    }
}

/// `是`/`Y`/`1` → true, `否`/`N`/`0` → false.
pub fn parse_yes_no(raw: &str) -> Result<bool, Invalid> {
    match raw.trim().to_lowercase().as_str() {
        "是" | "y" | "yes" | "true" | "1" | "同意" => Ok(true),
        "否" | "n" | "no" | "false" | "0" | "不同意" => Ok(false),
        _ => Err(Invalid("choice.invalid")),
    }
}

/// Chinese labels of customer sources and channels as legacy systems write them.
pub fn normalize_choice(field: &str, raw: &str) -> String {
    let value = raw.trim();
    let mapped = match (field, value) {
        ("source", "到店" | "展厅" | "自然到店") => "walk_in",
        ("source", "电话" | "来电") => "phone",
        ("source", "网络" | "线上" | "网站" | "汽车之家" | "懂车帝") => "online",
        ("source", "活动" | "车展") => "event",
        ("source", "转介绍" | "推荐" | "老客户推荐") => "referral",
        ("source", "其他") => "other",
        ("preferred_channel", "电话") => "phone",
        ("preferred_channel", "短信") => "sms",
        ("preferred_channel", "微信") => "wechat",
        ("preferred_channel", "邮件" | "邮箱") => "email",
        ("preferred_channel", "上门" | "拜访") => "visit",
        _ => return value.to_lowercase(),
    };
    mapped.to_owned()
}

/// `159800`, `¥159,800.00`, `15.98万` (yuan) → fen.
///
/// # Errors
/// As [`parse_yuan`], or `money.too_large` for 万 beyond what fen can count.
pub fn parse_price(raw: &str) -> Result<i64, Invalid> {
    let value = raw.trim().trim_end_matches('元');
    match value.strip_suffix('万') {
        Some(wan) => parse_yuan(wan)?
            .checked_mul(10_000)
            .ok_or(Invalid("money.too_large")),
        None => parse_yuan(value),
    }
}

/// `12,345`, `12345公里`, `12345 km` → 12345.
pub fn parse_km(raw: &str) -> Result<i32, Invalid> {
    let digits: String = raw
        .trim()
        .trim_end_matches(['公', '里', 'k', 'K', 'm', 'M', ' '])
        .chars()
        .filter(|c| *c != ',')
        .collect();
    digits
        .parse::<i32>()
        .ok()
        .filter(|km| (0..=2_000_000).contains(km))
        .ok_or(Invalid("km.format"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_and_english_synonyms_find_their_fields() {
        for (header, key) in [
            ("客户名称", "name"),
            ("Name", "name"),
            ("联系电话", "mobile"),
            ("* 手机号码：", "mobile"),
            ("Mobile_Phone", "mobile"),
            ("车架号(VIN)", "vin"),
            ("底盘号", "vin"),
            ("VIN", "vin"),
            ("车牌号", "plate"),
            ("发动机号", "engine_no"),
            ("购车日期", "delivery_date"),
            ("生日", "birthday"),
            ("身份证号", "id_number"),
            ("购车价格（元）", "purchase_price"),
        ] {
            assert_eq!(recognise(header).map(|f| f.key), Some(key), "{header}");
        }
        assert!(recognise("销售顾问工号").is_none());
    }

    #[test]
    fn chosen_mappings_win_and_a_field_is_filled_once() {
        let choices = HashMap::from([
            ("客户编号".to_owned(), String::new()),
            ("车主手机".to_owned(), "mobile".to_owned()),
        ]);
        let mapped = map_columns(
            &headers(&["客户编号", "姓名", "车主手机", "手机", "不认识"]),
            &choices,
        )
        .unwrap();
        assert_eq!(mapped, [None, Some("name"), Some("mobile"), None, None]);
        let wrong = HashMap::from([("姓名".to_owned(), "nickname".to_owned())]);
        assert_eq!(
            map_columns(&headers(&["姓名"]), &wrong),
            Err(UnknownField("nickname".into()))
        );
    }

    #[test]
    fn every_field_writes_a_header_it_recognises() {
        for field in IMPORT_FIELDS {
            assert_eq!(recognise(field.header()).map(|f| f.key), Some(field.key));
        }
    }

    #[test]
    fn legacy_dates_read_as_iso_dates() {
        for raw in [
            "2019/5/3",
            "2019.05.03",
            "20190503",
            "2019年5月3日",
            "2019-05-03 10:20:00",
            " 2019-5-3 ",
        ] {
            assert_eq!(normalize_date(raw), "2019-05-03", "{raw}");
        }
        assert_eq!(normalize_date("2019-02-30"), "2019-02-30");
        assert_eq!(normalize_date("上周"), "上周");
    }

    #[test]
    fn legacy_values_read_as_fours_values() {
        assert_eq!(normalize_gender("男"), "male");
        assert_eq!(normalize_gender("女士"), "female");
        assert_eq!(normalize_gender("未知"), "未知");
        assert_eq!(parse_yes_no("是"), Ok(true));
        assert_eq!(parse_yes_no("N"), Ok(false));
        assert_eq!(parse_yes_no("也许"), Err(Invalid("choice.invalid")));
        assert_eq!(normalize_choice("source", "转介绍"), "referral");
        assert_eq!(normalize_choice("preferred_channel", "微信"), "wechat");
        assert_eq!(normalize_choice("source", "Walk_In"), "walk_in");
        assert_eq!(parse_price("15.98万"), Ok(15_980_000));
        assert_eq!(parse_price("¥159,800.50元"), Ok(15_980_050));
        assert_eq!(parse_price("十五万"), Err(Invalid("money.format")));
        assert_eq!(parse_km("12,345公里"), Ok(12_345));
        assert_eq!(parse_km("800 km"), Ok(800));
        assert_eq!(parse_km("-5"), Err(Invalid("km.format")));
    }

    #[test]
    fn duplicate_policies_parse_by_name() {
        for policy in [
            OnDuplicate::Skip,
            OnDuplicate::Update,
            OnDuplicate::Overwrite,
        ] {
            assert_eq!(OnDuplicate::parse(policy.as_str()), Some(policy));
        }
        assert_eq!(OnDuplicate::parse("merge"), None);
    }
}
