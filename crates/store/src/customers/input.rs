//! Turning what a user typed into a customer record: every field checked with the domain rules,
//! every problem reported at once with the field's name.

use chrono::NaiveDate;
use fours_domain::customers::mobile::{mobile_tail, normalize_mobile};
use fours_domain::customers::resident_id::{mask_resident_id, validate_resident_id};
use fours_domain::customers::search_keys::name_keys;
use serde::Deserialize;
use uuid::Uuid;

use super::entities::customer;
use crate::error::FieldError;
use crate::pii::PiiCipher;
use sea_orm::Set;

/// A customer as typed. On update an absent field (`None`) is left as it is and an empty string
/// clears it; on create absent means empty.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// `person` (default) or `company` (fleet).
    pub kind: Option<String>,
    pub name: Option<String>,
    /// `male` or `female`.
    pub gender: Option<String>,
    /// Mainland mobile; `+86`, spaces and dashes are accepted and normalised.
    pub mobile: Option<String>,
    pub other_phones: Option<Vec<String>>,
    pub wechat: Option<String>,
    pub email: Option<String>,
    /// `YYYY-MM-DD`; filled from the resident ID number when empty.
    pub birthday: Option<String>,
    /// Resident ID number (write-only; stored encrypted, read back masked).
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub occupation: Option<String>,
    pub position: Option<String>,
    pub hobbies: Option<String>,
    /// Residential compound (小区).
    pub compound: Option<String>,
    /// `walk_in`, `phone`, `online`, `event`, `referral` or `other`.
    pub source: Option<String>,
    /// `friend`, `ad`, `web`, `event` or `other`.
    pub info_source: Option<String>,
    pub referrer_id: Option<Uuid>,
    /// Convenient contact time, as the customer said it.
    pub contact_time: Option<String>,
    /// `phone`, `sms`, `wechat`, `email` or `visit`.
    pub preferred_channel: Option<String>,
    pub marketing_consent: Option<bool>,
    pub tags: Option<Vec<String>>,
    pub notes: Option<String>,
    pub owner_id: Option<Uuid>,
    pub store_id: Option<Uuid>,
    /// Replaces the whole list when given.
    pub family: Option<Vec<FamilyMemberInput>>,
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyMemberInput {
    pub name: String,
    /// `spouse`, `child`, `parent` or `other`.
    pub relation: String,
    pub birthday: Option<String>,
    pub mobile: Option<String>,
}

pub const SOURCES: [&str; 6] = ["walk_in", "phone", "online", "event", "referral", "other"];
pub const INFO_SOURCES: [&str; 5] = ["friend", "ad", "web", "event", "other"];
pub const CHANNELS: [&str; 5] = ["phone", "sms", "wechat", "email", "visit"];
pub const RELATIONS: [&str; 4] = ["spouse", "child", "parent", "other"];

/// Collects field errors while applying an input to an active model.
pub(super) struct Applier<'a> {
    pub errors: Vec<FieldError>,
    pub model: &'a mut customer::ActiveModel,
    pub creating: bool,
}

/// `None`: untouched; `Some(None)`: cleared; `Some(Some(v))`: set to the trimmed value.
fn change(value: &Option<String>) -> Option<Option<String>> {
    value.as_ref().map(|v| {
        let trimmed = v.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_owned())
    })
}

pub fn parse_date(field: &'static str, value: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| FieldError {
        field,
        code: "date.format",
    })
}

impl Applier<'_> {
    fn reject(&mut self, field: &'static str, code: &'static str) {
        self.errors.push(FieldError { field, code });
    }

    fn plain(
        &mut self,
        value: &Option<String>,
        set: impl FnOnce(&mut customer::ActiveModel, Option<String>),
    ) {
        if let Some(v) = change(value) {
            set(self.model, v);
        }
    }

    fn one_of(
        &mut self,
        field: &'static str,
        value: &Option<String>,
        allowed: &[&str],
        set: impl FnOnce(&mut customer::ActiveModel, Option<String>),
    ) {
        match change(value) {
            Some(Some(v)) if !allowed.contains(&v.as_str()) => self.reject(field, "choice.invalid"),
            Some(v) => set(self.model, v),
            None => {}
        }
    }

    pub fn apply(&mut self, input: &CustomerInput, pii: &PiiCipher) {
        self.kind_and_name(input);
        self.contact(input);
        self.identity(input, pii);
        self.plain(&input.address, |m, v| m.address = Set(v));
        self.plain(&input.postcode, |m, v| m.postcode = Set(v));
        self.plain(&input.occupation, |m, v| m.occupation = Set(v));
        self.plain(&input.position, |m, v| m.position = Set(v));
        self.plain(&input.hobbies, |m, v| m.hobbies = Set(v));
        self.plain(&input.compound, |m, v| m.compound = Set(v));
        self.plain(&input.contact_time, |m, v| m.contact_time = Set(v));
        self.plain(&input.notes, |m, v| m.notes = Set(v));
        self.one_of("source", &input.source, &SOURCES, |m, v| m.source = Set(v));
        self.one_of("info_source", &input.info_source, &INFO_SOURCES, |m, v| {
            m.info_source = Set(v)
        });
        self.one_of(
            "preferred_channel",
            &input.preferred_channel,
            &CHANNELS,
            |m, v| m.preferred_channel = Set(v),
        );
        if let Some(tags) = &input.tags {
            self.tags(tags);
        }
    }

    fn kind_and_name(&mut self, input: &CustomerInput) {
        match change(&input.kind) {
            Some(Some(kind)) if kind != "person" && kind != "company" => {
                self.reject("kind", "choice.invalid")
            }
            Some(Some(kind)) => self.model.kind = Set(kind),
            _ if self.creating => self.model.kind = Set("person".into()),
            _ => {}
        }
        match change(&input.name) {
            Some(Some(name)) if name.chars().count() > 100 => self.reject("name", "text.too_long"),
            Some(Some(name)) => {
                let keys = name_keys(&name);
                self.model.name = Set(name);
                self.model.name_pinyin = Set(keys.full);
                self.model.name_initials = Set(keys.initials);
            }
            Some(None) => self.reject("name", "required"),
            None if self.creating => self.reject("name", "required"),
            None => {}
        }
        self.one_of("gender", &input.gender, &["male", "female"], |m, v| {
            m.gender = Set(v)
        });
    }

    fn contact(&mut self, input: &CustomerInput) {
        match change(&input.mobile) {
            Some(Some(raw)) => match normalize_mobile(&raw) {
                Ok(mobile) => {
                    self.model.mobile_tail = Set(Some(mobile_tail(&mobile)));
                    self.model.mobile = Set(Some(mobile));
                }
                Err(invalid) => self.reject("mobile", invalid.0),
            },
            Some(None) => {
                self.model.mobile = Set(None);
                self.model.mobile_tail = Set(None);
            }
            None => {}
        }
        if let Some(phones) = &input.other_phones {
            let cleaned: Vec<String> = phones
                .iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect();
            self.model.other_phones = Set(serde_json::json!(cleaned));
        }
        self.plain(&input.wechat, |m, v| m.wechat = Set(v));
        match change(&input.email) {
            Some(Some(email)) if !email.contains('@') || email.contains(char::is_whitespace) => {
                self.reject("email", "email.format")
            }
            Some(email) => self.model.email = Set(email),
            None => {}
        }
        if let Some(consent) = input.marketing_consent {
            self.model.marketing_consent = Set(consent);
            self.model.consent_updated_at = Set(Some(chrono::Utc::now()));
        }
    }

    fn identity(&mut self, input: &CustomerInput, pii: &PiiCipher) {
        let mut birthday_from_id = None;
        match change(&input.id_number) {
            Some(Some(raw)) => {
                let is_person = !matches!(&self.model.kind, sea_orm::ActiveValue::Set(k) | sea_orm::ActiveValue::Unchanged(k) if k == "company");
                let number = if is_person {
                    match validate_resident_id(&raw) {
                        Ok(id) => {
                            birthday_from_id = Some(id.birth_date);
                            if change(&input.gender).is_none() && self.creating {
                                self.model.gender = Set(Some(id.gender.as_str().to_owned()));
                            }
                            Some(id.number)
                        }
                        Err(invalid) => {
                            self.reject("id_number", invalid.0);
                            None
                        }
                    }
                } else {
                    Some(raw.to_uppercase())
                };
                if let Some(number) = number {
                    self.seal_id_number(&number, pii);
                }
            }
            Some(None) => {
                self.model.id_number_cipher = Set(None);
                self.model.id_number_hash = Set(None);
                self.model.id_number_masked = Set(None);
            }
            None => {}
        }
        match change(&input.birthday) {
            Some(Some(raw)) => match parse_date("birthday", &raw) {
                Ok(day) => self.model.birthday = Set(Some(day)),
                Err(error) => self.errors.push(error),
            },
            Some(None) => self.model.birthday = Set(birthday_from_id),
            None => {
                let empty = matches!(
                    &self.model.birthday,
                    sea_orm::ActiveValue::Set(None)
                        | sea_orm::ActiveValue::Unchanged(None)
                        | sea_orm::ActiveValue::NotSet
                );
                if empty && birthday_from_id.is_some() {
                    self.model.birthday = Set(birthday_from_id);
                }
            }
        }
    }

    fn seal_id_number(&mut self, number: &str, pii: &PiiCipher) {
        match pii.seal(number) {
            Ok(sealed) => {
                self.model.id_number_cipher = Set(Some(sealed));
                self.model.id_number_hash = Set(Some(pii.blind_index(number)));
                self.model.id_number_masked = Set(Some(mask_resident_id(number)));
            }
            Err(_) => self.reject("id_number", "cipher.failed"),
        }
    }

    fn tags(&mut self, tags: &[String]) {
        let mut cleaned: Vec<String> = tags
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        cleaned.dedup();
        if cleaned.len() > 20 || cleaned.iter().any(|t| t.chars().count() > 20) {
            self.reject("tags", "tags.too_many");
        } else {
            self.model.tags = Set(serde_json::json!(cleaned));
        }
    }
}

/// Checks one family member, returning its birthday and normalised mobile.
pub fn validate_family_member(
    member: &FamilyMemberInput,
) -> Result<(Option<NaiveDate>, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    if member.name.trim().is_empty() {
        errors.push(FieldError {
            field: "family.name",
            code: "required",
        });
    }
    if !RELATIONS.contains(&member.relation.as_str()) {
        errors.push(FieldError {
            field: "family.relation",
            code: "choice.invalid",
        });
    }
    let birthday = match change(&member.birthday) {
        Some(Some(raw)) => parse_date("family.birthday", &raw)
            .map_err(|e| errors.push(e))
            .ok(),
        _ => None,
    };
    let mobile = match change(&member.mobile) {
        Some(Some(raw)) => normalize_mobile(&raw)
            .map_err(|invalid| {
                errors.push(FieldError {
                    field: "family.mobile",
                    code: invalid.0,
                })
            })
            .ok(),
        _ => None,
    };
    if errors.is_empty() {
        Ok((birthday, mobile))
    } else {
        Err(errors)
    }
}
