//! Named signature profiles (reason, location, timestamp, placement, template text) kept in the
//! settings, and the JSON file an admin exports to hand them to colleagues.
//!
//! The file is `{"format": "signstash-presets", "version": 1, "presets": [...]}`. Importing checks
//! every preset and refuses the whole file with a reason naming the first bad one, so a half-read
//! file never mixes into the settings. Fields this version does not know are kept.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Lang;

pub const FILE_FORMAT: &str = "signstash-presets";
pub const FILE_VERSION: u32 = 1;
/// A presets file is a few kilobytes; anything far bigger is not one.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
pub const MAX_PRESETS: usize = 200;
const MAX_NAME: usize = 80;
const MAX_TEXT: usize = 500;
/// The largest PDF page (200 in) in points.
const MAX_POINTS: f64 = 14_400.0;

/// Where the box goes, relative to the page as shown (after /Rotate), so one preset fits pages of
/// any size: `left`/`bottom` are fractions (0..1) of the page's width/height, the size is in points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct PresetPlacement {
    /// Page number (1 = first); ignored when `last_page`.
    pub page: u32,
    pub last_page: bool,
    pub left: f64,
    pub bottom: f64,
    pub width: f64,
    pub height: f64,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub other: Map<String, Value>,
}

impl Default for PresetPlacement {
    fn default() -> Self {
        Self {
            page: 1,
            last_page: false,
            left: 0.6,
            bottom: 0.05,
            width: 180.0,
            height: 50.0,
            other: Map::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct Preset {
    pub name: String,
    pub reason: String,
    pub location: String,
    pub timestamp: bool,
    /// None: no visible box.
    pub placement: Option<PresetPlacement>,
    /// Text of the visible box; `$certificate.getCommonName()` is the signer's name.
    pub template: String,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub other: Map<String, Value>,
}

impl Default for Preset {
    fn default() -> Self {
        Self {
            name: String::new(),
            reason: String::new(),
            location: String::new(),
            timestamp: false,
            placement: None,
            template: "Assinado digitalmente por $certificate.getCommonName()".into(),
            other: Map::new(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PresetError {
    #[error("not a presets file: {0}")]
    NotPresets(String),
    #[error("presets file version {0} is newer than this app")]
    NewerVersion(u64),
    #[error("preset {index}: {problem}")]
    Invalid { index: usize, problem: String },
    #[error("file is larger than {MAX_FILE_BYTES} bytes")]
    TooLarge,
}

impl PresetError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotPresets(_) => "presets.not_presets",
            Self::NewerVersion(_) => "presets.newer_version",
            Self::Invalid { .. } => "presets.invalid",
            Self::TooLarge => "presets.too_large",
        }
    }

    /// Plain words: what happened and what to do.
    pub fn message(&self, lang: Lang) -> String {
        let pt = lang == Lang::Pt;
        match self {
            Self::NotPresets(_) if pt => "O ficheiro escolhido não é um ficheiro de perfis do Sign'Stash Desk. Escolha o ficheiro .json exportado em \"Exportar perfis\".".into(),
            Self::NotPresets(_) => "The chosen file is not a Sign'Stash Desk presets file. Choose the .json file made with \"Export presets\".".into(),
            Self::NewerVersion(_) if pt => "Este ficheiro de perfis foi feito por uma versão mais recente da aplicação. Atualize a aplicação e tente de novo.".into(),
            Self::NewerVersion(_) => "This presets file was made by a newer version of the app. Update the app and try again.".into(),
            Self::Invalid { index, problem } if pt => format!("O perfil n.º {} do ficheiro está incorreto ({problem}). Nada foi importado; peça um ficheiro novo a quem o exportou.", index + 1),
            Self::Invalid { index, problem } => format!("Preset number {} in the file is not valid ({problem}). Nothing was imported; ask whoever exported it for a new file.", index + 1),
            Self::TooLarge if pt => "O ficheiro é demasiado grande para ser um ficheiro de perfis. Escolha o ficheiro .json exportado em \"Exportar perfis\".".into(),
            Self::TooLarge => "The file is too large to be a presets file. Choose the .json file made with \"Export presets\".".into(),
        }
    }
}

fn check_text(index: usize, field: &str, text: &str, max: usize) -> Result<(), PresetError> {
    if text.chars().count() > max {
        return Err(PresetError::Invalid {
            index,
            problem: format!("{field} longer than {max} characters"),
        });
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(PresetError::Invalid {
            index,
            problem: format!("{field} contains control characters"),
        });
    }
    Ok(())
}

impl Preset {
    /// The checks an import applies; `index` names the preset in the error.
    pub fn validate(&self, index: usize) -> Result<(), PresetError> {
        let bad = |problem: &str| PresetError::Invalid {
            index,
            problem: problem.into(),
        };
        if self.name.trim().is_empty() {
            return Err(bad("name is empty"));
        }
        check_text(index, "name", &self.name, MAX_NAME)?;
        check_text(index, "reason", &self.reason, MAX_TEXT)?;
        check_text(index, "location", &self.location, MAX_TEXT)?;
        check_text(index, "template", &self.template, MAX_TEXT)?;
        if let Some(p) = &self.placement {
            let fraction = |v: f64| v.is_finite() && (0.0..=1.0).contains(&v);
            if !fraction(p.left) || !fraction(p.bottom) {
                return Err(bad("box position outside the page"));
            }
            let size = |v: f64| v.is_finite() && (1.0..=MAX_POINTS).contains(&v);
            if !size(p.width) || !size(p.height) {
                return Err(bad("box size not between 1 and 14400 points"));
            }
            if !p.last_page && p.page == 0 {
                return Err(bad("page 0 (pages start at 1)"));
            }
        }
        Ok(())
    }
}

/// Checks a whole list: each preset, at most [`MAX_PRESETS`], names unique (ignoring case).
pub fn validate_all(presets: &[Preset]) -> Result<(), PresetError> {
    if presets.len() > MAX_PRESETS {
        return Err(PresetError::NotPresets(format!(
            "more than {MAX_PRESETS} presets"
        )));
    }
    for (index, preset) in presets.iter().enumerate() {
        preset.validate(index)?;
        let name = preset.name.trim().to_lowercase();
        if presets[..index]
            .iter()
            .any(|p| p.name.trim().to_lowercase() == name)
        {
            return Err(PresetError::Invalid {
                index,
                problem: format!("name '{}' used twice", preset.name.trim()),
            });
        }
    }
    Ok(())
}

/// The text of an exported presets file.
pub fn to_file(presets: &[Preset]) -> String {
    let file = serde_json::json!({
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "presets": presets,
    });
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// Reads an exported presets file; the whole file or nothing.
pub fn from_file(text: &str) -> Result<Vec<Preset>, PresetError> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(PresetError::TooLarge);
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| PresetError::NotPresets(e.to_string()))?;
    let object = value
        .as_object()
        .ok_or_else(|| PresetError::NotPresets("not a JSON object".into()))?;
    if object.get("format").and_then(Value::as_str) != Some(FILE_FORMAT) {
        return Err(PresetError::NotPresets(format!(
            "\"format\" is not \"{FILE_FORMAT}\""
        )));
    }
    match object.get("version").and_then(Value::as_u64) {
        Some(v) if v > u64::from(FILE_VERSION) => return Err(PresetError::NewerVersion(v)),
        Some(_) => {}
        None => return Err(PresetError::NotPresets("no \"version\" number".into())),
    }
    let list = object
        .get("presets")
        .and_then(Value::as_array)
        .ok_or_else(|| PresetError::NotPresets("no \"presets\" list".into()))?;
    let presets = list
        .iter()
        .enumerate()
        .map(|(index, item)| {
            serde_json::from_value::<Preset>(item.clone()).map_err(|e| PresetError::Invalid {
                index,
                problem: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    validate_all(&presets)?;
    Ok(presets)
}

/// Adds imported presets to `existing`; one with the same name (ignoring case) is replaced.
pub fn merge(existing: &mut Vec<Preset>, imported: Vec<Preset>) {
    for preset in imported {
        let name = preset.name.trim().to_lowercase();
        match existing
            .iter_mut()
            .find(|p| p.name.trim().to_lowercase() == name)
        {
            Some(slot) => *slot = preset,
            None => existing.push(preset),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invoice() -> Preset {
        Preset {
            name: "Faturas".into(),
            reason: "Faturação".into(),
            location: "Lisboa".into(),
            timestamp: true,
            placement: Some(PresetPlacement {
                last_page: true,
                ..PresetPlacement::default()
            }),
            ..Preset::default()
        }
    }

    #[test]
    fn export_then_import_gives_the_same_presets() {
        let presets = vec![
            invoice(),
            Preset {
                name: "Contratos".into(),
                ..Preset::default()
            },
        ];
        assert_eq!(from_file(&to_file(&presets)).unwrap(), presets);
    }

    #[test]
    fn unknown_fields_are_kept() {
        let text = json!({"format": FILE_FORMAT, "version": 1, "presets": [
            {"name": "A", "colour": "blue", "placement": {"page": 2, "left": 0.1, "bottom": 0.2,
             "width": 100, "height": 40, "anchor": "x"}}
        ]})
        .to_string();
        let presets = from_file(&text).unwrap();
        assert_eq!(presets[0].other["colour"], "blue");
        let placement = presets[0].placement.as_ref().unwrap();
        assert_eq!(placement.other["anchor"], "x");
        assert_eq!(placement.page, 2);
        assert!(to_file(&presets).contains("\"colour\": \"blue\""));
    }

    #[test]
    fn a_file_that_is_not_presets_is_refused_with_its_reason() {
        for text in [
            "not json".to_string(),
            "[]".into(),
            json!({"presets": []}).to_string(),
            json!({"format": "other", "version": 1, "presets": []}).to_string(),
            json!({"format": FILE_FORMAT, "presets": []}).to_string(),
            json!({"format": FILE_FORMAT, "version": 1}).to_string(),
        ] {
            let err = from_file(&text).unwrap_err();
            assert_eq!(err.code(), "presets.not_presets", "{text}");
            assert!(err
                .message(Lang::En)
                .contains("not a Sign'Stash Desk presets file"));
        }
        let newer = json!({"format": FILE_FORMAT, "version": 9, "presets": []}).to_string();
        assert_eq!(from_file(&newer).unwrap_err(), PresetError::NewerVersion(9));
    }

    #[test]
    fn a_bad_preset_refuses_the_whole_file_and_names_it() {
        let file = |preset: Value| {
            json!({"format": FILE_FORMAT, "version": 1, "presets": [invoice(), preset]}).to_string()
        };
        let cases = [
            (json!({"name": "  "}), "name is empty"),
            (json!({"name": "faturas"}), "used twice"),
            (json!({"name": "B", "timestamp": "yes"}), "invalid type"),
            (
                json!({"name": "B", "placement": {"left": 1.5}}),
                "outside the page",
            ),
            (json!({"name": "B", "placement": {"width": 0}}), "box size"),
            (
                json!({"name": "B", "placement": {"height": 1e9}}),
                "box size",
            ),
            (json!({"name": "B", "placement": {"page": 0}}), "page 0"),
            (
                json!({"name": "B", "reason": "a\u{0}b"}),
                "control characters",
            ),
            (json!({"name": "x".repeat(81)}), "longer than 80"),
        ];
        for (preset, problem) in cases {
            let err = from_file(&file(preset.clone())).unwrap_err();
            match &err {
                PresetError::Invalid { index, problem: p } => {
                    assert_eq!(*index, 1, "{preset}");
                    assert!(p.contains(problem), "{preset}: {p}");
                }
                other => panic!("{preset}: {other:?}"),
            }
            assert!(err.message(Lang::Pt).contains("n.º 2"));
        }
    }

    #[test]
    fn a_huge_file_is_refused_before_parsing() {
        let text = " ".repeat(MAX_FILE_BYTES as usize + 1);
        assert_eq!(from_file(&text).unwrap_err(), PresetError::TooLarge);
    }

    #[test]
    fn merge_replaces_same_name_and_adds_new() {
        let mut existing = vec![invoice()];
        let mut changed = invoice();
        changed.name = "FATURAS".into();
        changed.reason = "Novo".into();
        merge(
            &mut existing,
            vec![
                changed,
                Preset {
                    name: "Outro".into(),
                    ..Preset::default()
                },
            ],
        );
        assert_eq!(existing.len(), 2);
        assert_eq!(existing[0].reason, "Novo");
        assert_eq!(existing[1].name, "Outro");
    }
}
