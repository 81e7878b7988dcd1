//! One form renderer for every create/edit page: fields described in Rust, errors shown inline
//! beside each field in the user's language.

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use fours_domain::access::DataScope;
use fours_store::StoreError;
use fours_store::error::FieldError;
use fours_store::org::{self, Actor};
use uuid::Uuid;

use super::{Page, render};
use crate::AppState;
use crate::error::field_message;
use fours_store::customers::input::RELATIONS;

pub struct FormField {
    pub name: &'static str,
    pub label: String,
    /// `text`, `tel`, `email`, `date`, `number`, `select`, `textarea` or `checkbox`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub error: Option<String>,
}

pub struct Duplicate {
    pub message: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormTemplate<'a> {
    pub page: &'a Page,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub hidden: Vec<(String, String)>,
    pub fields: Vec<FormField>,
    pub has_errors: bool,
    pub duplicate: Option<Duplicate>,
    /// Rows of family members, on customer forms.
    pub family: Option<Vec<FamilyRow>>,
    pub family_errors: Vec<String>,
    pub relations: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct FamilyRow {
    pub name: String,
    pub relation: String,
    pub birthday: String,
}

/// How many family rows a customer form offers (filled ones plus blanks up to this).
pub const FAMILY_ROWS: usize = 4;

/// The family rows as typed (`family_name_0`, `family_relation_0`, `family_birthday_0`, …).
pub fn family_rows(values: &HashMap<String, String>) -> Vec<FamilyRow> {
    (0..FAMILY_ROWS)
        .map(|i| FamilyRow {
            name: values
                .get(&format!("family_name_{i}"))
                .cloned()
                .unwrap_or_default(),
            relation: values
                .get(&format!("family_relation_{i}"))
                .cloned()
                .unwrap_or_default(),
            birthday: values
                .get(&format!("family_birthday_{i}"))
                .cloned()
                .unwrap_or_default(),
        })
        .collect()
}

/// A field spec: name, input kind and, for selects, the allowed values.
pub type Spec = (&'static str, &'static str, &'static [&'static str]);

/// Builds the fields from specs, current values and the errors to show beside them.
pub fn fields(
    page: &Page,
    specs: &[Spec],
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Vec<FormField> {
    specs
        .iter()
        .map(|(name, kind, choices)| FormField {
            name,
            label: page.t(&format!("field.{name}")),
            kind,
            value: values.get(*name).cloned().unwrap_or_default(),
            options: choices
                .iter()
                .map(|choice| {
                    (
                        (*choice).to_owned(),
                        page.t(&format!("choice.{name}.{choice}")),
                    )
                })
                .collect(),
            error: errors
                .iter()
                .find(|e| e.field == *name)
                .map(|e| field_message(page.locale, e).message),
        })
        .collect()
}

/// The status of a page that may come back with the reason a change was refused: 422 then,
/// else 200.
pub fn form_status(refused: bool) -> StatusCode {
    if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

/// Non-empty form value, trimmed.
pub fn filled(values: &HashMap<String, String>, name: &str) -> Option<String> {
    values
        .get(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The value to send on edit: present (possibly empty, which clears) when the form has the field.
pub fn edited(values: &HashMap<String, String>, name: &str) -> Option<String> {
    values.get(name).map(|v| v.trim().to_owned())
}

/// A `datetime-local` value read in the store's time zone, recording a field error when it is
/// not one.
pub fn local_instant(
    page: &Page,
    values: &HashMap<String, String>,
    name: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    let raw = filled(values, name)?;
    let parsed = NaiveDateTime::parse_from_str(&raw, "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|local| local.and_local_timezone(page.tz).earliest());
    if parsed.is_none() {
        errors.push(FieldError {
            field: name,
            code: "date.format",
        });
    }
    parsed.map(|t| t.with_timezone(&Utc))
}

/// Parses an optional whole number, recording a field error when it is not one.
pub fn number(
    values: &HashMap<String, String>,
    name: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<i32> {
    let raw = filled(values, name)?;
    match raw.parse() {
        Ok(value) => Some(value),
        Err(_) => {
            errors.push(FieldError {
                field: name,
                code: "number.format",
            });
            None
        }
    }
}

/// The store a page works in. Store staff work in their own; group users (and users of no
/// store) choose one of the tenant's: the one asked for, else their own, else the first.
pub struct StorePick {
    pub current: Option<Uuid>,
    /// (id, "GZ01 广州天河店") for group users; empty for store staff.
    pub choices: Vec<(String, String)>,
}

impl StorePick {
    pub fn is_current(&self, id: &str) -> bool {
        self.current.is_some_and(|c| c.to_string() == id)
    }

    /// `?store_id=…` for links, when the user chooses.
    pub fn query(&self) -> String {
        match (self.choices.is_empty(), self.current) {
            (false, Some(id)) => format!("?store_id={id}"),
            _ => String::new(),
        }
    }
}

pub async fn store_pick(
    state: &AppState,
    actor: &Actor,
    asked: Option<Uuid>,
) -> Result<StorePick, StoreError> {
    if actor.scope != DataScope::Group && actor.store_id.is_some() {
        return Ok(StorePick {
            current: actor.store_id,
            choices: Vec::new(),
        });
    }
    let stores = org::list_stores(&state.db.conn, actor.tenant_id).await?;
    let current = asked
        .filter(|id| stores.iter().any(|s| s.id == *id))
        .or(actor.store_id)
        .or_else(|| stores.first().map(|s| s.id));
    Ok(StorePick {
        current,
        choices: stores
            .into_iter()
            .map(|s| (s.id.to_string(), format!("{} {}", s.code, s.name)))
            .collect(),
    })
}

pub struct FormPage<'a> {
    pub page: &'a Page,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub hidden: Vec<(String, String)>,
    pub specs: &'a [Spec],
    pub values: &'a HashMap<String, String>,
    /// Show the family rows (customer forms).
    pub with_family: bool,
    /// Stores to choose from, for group-level users who belong to none (`store_id` select).
    pub stores: Vec<(String, String)>,
}

impl FormPage<'_> {
    fn fields(&self, errors: &[FieldError]) -> Vec<FormField> {
        let mut all = fields(self.page, self.specs, self.values, errors);
        if !self.stores.is_empty() {
            all.insert(
                0,
                FormField {
                    name: "store_id",
                    label: self.page.t("field.store_id"),
                    kind: "select",
                    value: self.values.get("store_id").cloned().unwrap_or_default(),
                    options: self.stores.clone(),
                    error: errors
                        .iter()
                        .find(|e| e.field == "store_id")
                        .map(|e| field_message(self.page.locale, e).message),
                },
            );
        }
        all
    }

    pub fn show(&self, errors: &[FieldError], duplicate: Option<Duplicate>) -> Response {
        render(&FormTemplate {
            page: self.page,
            heading: self.heading.clone(),
            action: self.action.clone(),
            cancel: self.cancel.clone(),
            hidden: self.hidden.clone(),
            fields: self.fields(errors),
            has_errors: !errors.is_empty(),
            duplicate,
            family: self.with_family.then(|| family_rows(self.values)),
            family_errors: errors
                .iter()
                .filter(|e| e.field.starts_with("family."))
                .map(|e| field_message(self.page.locale, e).message)
                .collect(),
            relations: RELATIONS
                .iter()
                .map(|r| {
                    (
                        (*r).to_owned(),
                        self.page.t(&format!("choice.relation.{r}")),
                    )
                })
                .collect(),
        })
    }

    /// Re-renders the form after a failed save: inline errors, or the duplicate notice with a
    /// link to the record that already exists. `None` for errors a form cannot show.
    pub fn show_store_error(&self, error: &StoreError, open_path: &str) -> Option<Response> {
        match error {
            StoreError::Invalid(errors) => Some(
                (
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    self.show(errors, None),
                )
                    .into_response(),
            ),
            StoreError::Duplicate {
                field, existing_id, ..
            } => {
                let label = self.page.t(&format!("field.{field}"));
                let message =
                    rust_i18n::t!("error.duplicate", locale = self.page.lang(), field = label)
                        .into_owned();
                let duplicate = Duplicate {
                    message,
                    link: format!("{open_path}/{existing_id}"),
                };
                Some(
                    (
                        axum::http::StatusCode::CONFLICT,
                        self.show(&[], Some(duplicate)),
                    )
                        .into_response(),
                )
            }
            _ => None,
        }
    }
}
