//! The settings the app persists and the CLI can read: named environments (addresses and client
//! id, never the secret, which lives in the OS keyring), the output rule, parallel requests, the
//! language and the remembered signature options.
//!
//! Stored as JSON in `<config dir>/pt.multicert.signstash.desk/settings.json` (Tauri's
//! `app_config_dir`). Fields this version does not know are kept as they are, so an older app
//! never erases what a newer one (or another tool) wrote.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::environment::{self, Environment, EnvironmentKind, HOSTED_BASE_PATH, TOKEN_PATH};
use crate::error::{Lang, SignStashError};
use crate::model::{LocationType, TemplateType, VisibleSignatureInfo};
use crate::network::config::{ExtraCa, NetworkSettings};
use crate::output::NamePattern;
use crate::presets::Preset;

pub const APP_ID: &str = "pt.multicert.signstash.desk";
pub const FILE_NAME: &str = "settings.json";
/// Overrides the folder of settings.json (tests, portable installs).
pub const CONFIG_DIR_ENV: &str = "SIGNSTASH_CONFIG_DIR";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("no per-user configuration folder on this system")]
    NoConfigDir,
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid settings JSON: {source}")]
    Damaged {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("invalid setting: {0}")]
    Invalid(String),
}

impl SettingsError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoConfigDir | Self::Io { .. } => "settings.io",
            Self::Damaged { .. } => "settings.damaged",
            Self::Invalid(_) => "settings.invalid",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub environments: Vec<EnvironmentSettings>,
    /// Id of the environment the main window signs in.
    pub active_environment: String,
    pub output: OutputRule,
    /// Requests in flight at once (1 to 8).
    pub parallel_requests: u32,
    /// "pt" or "en"; absent: from the system's language.
    pub language: Option<String>,
    pub signature: SignatureSettings,
    /// Proxy for the whole app; absent: the system's proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub network: Option<NetworkSettings>,
    /// Named signature profiles chosen from the main window.
    pub presets: Vec<Preset>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub other: Map<String, Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct EnvironmentSettings {
    pub id: String,
    pub label: String,
    pub kind: EnvironmentKindSetting,
    /// Empty for the Sandbox: it runs inside the app, on an address chosen at start.
    pub token_url: String,
    pub api_base: String,
    /// The secret that goes with it is in the OS keyring, under this environment's id.
    pub client_id: String,
    /// Trusted besides the system's certificates, e.g. an on-premise Proxy Client's internal CA.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub extra_ca_certificate: Option<ExtraCa>,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub other: Map<String, Value>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum EnvironmentKindSetting {
    #[default]
    Sandbox,
    Staging,
    Production,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum OutputMode {
    /// A "Signed" folder beside each original.
    #[default]
    Beside,
    /// One fixed folder.
    Folder,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct OutputRule {
    pub mode: OutputMode,
    pub folder: Option<String>,
    /// `{stem}`, `{ext}` and `{name}` come from the original.
    pub name_pattern: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Placement {
    TopLeft,
    TopRight,
    BottomLeft,
    #[default]
    BottomRight,
    /// `page`, `x`, `y` of [`SignatureSettings`].
    Coordinates,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct SignatureSettings {
    pub reason: String,
    pub location: String,
    pub timestamp: bool,
    pub visible: bool,
    pub placement: Placement,
    /// Page of the visible signature (1 = first).
    pub page: u32,
    /// Lower-left corner in PDF points, for `Placement::Coordinates`.
    pub x: f64,
    pub y: f64,
    /// Text of the visible box; `$certificate.getCommonName()` is the signer's name.
    pub template: String,
}

/// Box size of the visible signature, in points.
const BOX_WIDTH: f64 = 180.0;
const BOX_HEIGHT: f64 = 50.0;
/// Corners are placed on an A4 page (595 × 842 pt) with this margin.
const A4: (f64, f64) = (595.0, 842.0);
const MARGIN: f64 = 36.0;

impl Default for SignatureSettings {
    fn default() -> Self {
        Self {
            reason: String::new(),
            location: String::new(),
            timestamp: false,
            visible: false,
            placement: Placement::BottomRight,
            page: 1,
            x: MARGIN,
            y: MARGIN,
            template: "Assinado digitalmente por $certificate.getCommonName()".into(),
        }
    }
}

impl SignatureSettings {
    /// The visible box to ask for, if any.
    pub fn visible_info(&self) -> Option<VisibleSignatureInfo> {
        if !self.visible {
            return None;
        }
        let (x, y) = match self.placement {
            Placement::TopLeft => (MARGIN, A4.1 - MARGIN - BOX_HEIGHT),
            Placement::TopRight => (A4.0 - MARGIN - BOX_WIDTH, A4.1 - MARGIN - BOX_HEIGHT),
            Placement::BottomLeft => (MARGIN, MARGIN),
            Placement::BottomRight => (A4.0 - MARGIN - BOX_WIDTH, MARGIN),
            Placement::Coordinates => (self.x.max(0.0), self.y.max(0.0)),
        };
        let template = self.template.trim();
        Some(VisibleSignatureInfo {
            location_type: LocationType::Coordinate,
            location_value: format!("page={},x={x},y={y}", self.page.max(1)),
            area: Some(format!("width={BOX_WIDTH},height={BOX_HEIGHT}")),
            area_background_color: None,
            font: None,
            template_type: (!template.is_empty()).then_some(TemplateType::OneOff),
            one_off_template: (!template.is_empty()).then(|| template.to_string()),
            image_type: None,
            image_value: None,
        })
    }
}

impl Default for OutputRule {
    fn default() -> Self {
        Self {
            mode: OutputMode::Beside,
            folder: None,
            name_pattern: NamePattern::DEFAULT.into(),
        }
    }
}

impl EnvironmentSettings {
    pub fn preset(kind: EnvironmentKindSetting) -> Self {
        let (id, label, host) = match kind {
            EnvironmentKindSetting::Sandbox => ("sandbox", "Sandbox", ""),
            EnvironmentKindSetting::Staging => ("staging", "Staging", environment::STAGING_HOST),
            EnvironmentKindSetting::Production => {
                ("production", "Production", environment::PRODUCTION_HOST)
            }
        };
        let (token_url, api_base) = if host.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!("{host}/{TOKEN_PATH}"),
                format!("{host}/{HOSTED_BASE_PATH}"),
            )
        };
        Self {
            id: id.into(),
            label: label.into(),
            kind,
            token_url,
            api_base,
            client_id: if kind == EnvironmentKindSetting::Sandbox {
                "sandbox".into()
            } else {
                String::new()
            },
            extra_ca_certificate: None,
            other: Map::new(),
        }
    }

    /// The environment to connect to; the Sandbox's address is only known at run time.
    pub fn to_environment(
        &self,
        sandbox_host: Option<&str>,
    ) -> Result<Environment, SignStashError> {
        let mut env = match (self.kind, sandbox_host) {
            (EnvironmentKindSetting::Sandbox, Some(host)) if self.token_url.is_empty() => {
                return Environment::sandbox(host)
            }
            _ => Environment::custom(&self.id, &self.token_url, &self.api_base)?,
        };
        env.kind = match self.kind {
            EnvironmentKindSetting::Sandbox => EnvironmentKind::Sandbox,
            EnvironmentKindSetting::Staging => EnvironmentKind::Staging,
            EnvironmentKindSetting::Production => EnvironmentKind::Production,
        };
        Ok(env)
    }
}

impl Default for EnvironmentSettings {
    fn default() -> Self {
        Self::preset(EnvironmentKindSetting::Staging)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            environments: [
                EnvironmentKindSetting::Sandbox,
                EnvironmentKindSetting::Staging,
                EnvironmentKindSetting::Production,
            ]
            .into_iter()
            .map(EnvironmentSettings::preset)
            .collect(),
            active_environment: "sandbox".into(),
            output: OutputRule::default(),
            parallel_requests: 2,
            language: None,
            signature: SignatureSettings::default(),
            network: None,
            presets: Vec::new(),
            other: Map::new(),
        }
    }
}

impl Settings {
    pub fn environment(&self, id: &str) -> Option<&EnvironmentSettings> {
        self.environments.iter().find(|e| e.id == id)
    }

    pub fn environment_mut(&mut self, id: &str) -> Option<&mut EnvironmentSettings> {
        self.environments.iter_mut().find(|e| e.id == id)
    }

    pub fn lang(&self) -> Option<Lang> {
        match self.language.as_deref() {
            Some("en") => Some(Lang::En),
            Some("pt") => Some(Lang::Pt),
            _ => None,
        }
    }

    /// Refuses what would make signing fail later for a reason the admin could fix now.
    pub fn validate(&self) -> Result<(), SettingsError> {
        NamePattern::new(&self.output.name_pattern)
            .map_err(|e| SettingsError::Invalid(e.to_string()))?;
        if self.output.mode == OutputMode::Folder
            && self
                .output
                .folder
                .as_deref()
                .is_none_or(|f| f.trim().is_empty())
        {
            return Err(SettingsError::Invalid("output folder missing".into()));
        }
        if !(1..=8).contains(&self.parallel_requests) {
            return Err(SettingsError::Invalid(
                "parallel requests must be from 1 to 8".into(),
            ));
        }
        for env in &self.environments {
            if env.kind != EnvironmentKindSetting::Sandbox || !env.token_url.is_empty() {
                Environment::custom(&env.id, &env.token_url, &env.api_base)
                    .map_err(|e| SettingsError::Invalid(e.message(Lang::En)))?;
            }
        }
        if let Some(network) = &self.network {
            network.validate().map_err(SettingsError::Invalid)?;
        }
        for env in &self.environments {
            if let Some(ca) = &env.extra_ca_certificate {
                ExtraCa::from_pem(ca.file_name.clone(), ca.pem.as_bytes())
                    .map_err(|e| SettingsError::Invalid(e.message(Lang::En)))?;
            }
        }
        if self.environment(&self.active_environment).is_none() {
            return Err(SettingsError::Invalid(format!(
                "unknown environment '{}'",
                self.active_environment
            )));
        }
        crate::presets::validate_all(&self.presets)
            .map_err(|e| SettingsError::Invalid(e.to_string()))?;
        Ok(())
    }

    /// Puts back any preset environment missing from the file.
    fn complete(mut self) -> Self {
        for preset in Settings::default().environments {
            if self.environment(&preset.id).is_none() {
                self.environments.push(preset);
            }
        }
        if self.environment(&self.active_environment).is_none() {
            self.active_environment = "sandbox".into();
        }
        self
    }
}

/// `SIGNSTASH_CONFIG_DIR`, or the per-user config folder of the app.
pub fn default_path() -> Result<PathBuf, SettingsError> {
    let dir = match std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => dirs::config_dir()
            .ok_or(SettingsError::NoConfigDir)?
            .join(APP_ID),
    };
    Ok(dir.join(FILE_NAME))
}

/// Reads the settings; a missing file gives the defaults.
pub fn load(path: &Path) -> Result<Settings, SettingsError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice::<Settings>(&bytes)
            .map(Settings::complete)
            .map_err(|source| SettingsError::Damaged {
                path: path.into(),
                source,
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
        Err(source) => Err(SettingsError::Io {
            path: path.into(),
            source,
        }),
    }
}

/// Writes atomically: a temp file in the same folder, synced, then renamed over the old one.
pub fn save(path: &Path, settings: &Settings) -> Result<(), SettingsError> {
    let io = |source| SettingsError::Io {
        path: path.into(),
        source,
    };
    let dir = path.parent().ok_or(SettingsError::NoConfigDir)?;
    std::fs::create_dir_all(dir).map_err(io)?;
    let json = serde_json::to_vec_pretty(settings).map_err(|source| SettingsError::Damaged {
        path: path.into(),
        source,
    })?;
    let temp = dir.join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&json)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_three_presets_on_sandbox() {
        let dir = tempfile::tempdir().unwrap();
        let s = load(&dir.path().join(FILE_NAME)).unwrap();
        let ids: Vec<_> = s.environments.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["sandbox", "staging", "production"]);
        assert_eq!(s.active_environment, "sandbox");
        assert!(s
            .environment("production")
            .unwrap()
            .token_url
            .starts_with("https://msignstash"));
        s.validate().unwrap();
    }

    #[test]
    fn round_trip_keeps_unknown_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(FILE_NAME);
        let text = r#"{"futureTop": 7, "parallelRequests": 3,
            "environments": [{"id": "staging", "kind": "staging", "label": "S",
              "tokenUrl": "https://t.example/token", "apiBase": "https://t.example/api/",
              "clientId": "abc", "proxy": {"url": "http://p:3128"}, "extraCa": "/x.pem"}]}"#;
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let mut s = load(&path).unwrap();
        assert_eq!(s.parallel_requests, 3);
        assert_eq!(s.environments.len(), 3, "missing presets are added back");
        s.signature.reason = "Fatura".into();
        save(&path, &s).unwrap();
        let back: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(back["futureTop"], 7);
        assert_eq!(back["environments"][0]["proxy"]["url"], "http://p:3128");
        assert_eq!(back["environments"][0]["extraCa"], "/x.pem");
        assert_eq!(back["signature"]["reason"], "Fatura");
        assert_eq!(load(&path).unwrap(), s);
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name() != FILE_NAME)
            .collect();
        assert!(leftovers.is_empty(), "no temp file left");
    }

    #[test]
    fn damaged_file_is_an_error_not_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(load(&path).unwrap_err().code(), "settings.damaged");
    }

    #[test]
    fn validation_refuses_bad_values() {
        let s = Settings {
            parallel_requests: 0,
            ..Settings::default()
        };
        assert!(s.validate().is_err());
        let mut s = Settings::default();
        s.output.mode = OutputMode::Folder;
        assert!(s.validate().is_err());
        let mut s = Settings::default();
        s.environments[1].token_url = "not a url".into();
        assert!(s.validate().is_err());
        let mut s = Settings::default();
        s.output.name_pattern = "../{name}".into();
        assert!(s.validate().is_err());
    }

    #[test]
    fn visible_signature_corners_and_coordinates() {
        let mut sig = SignatureSettings::default();
        assert!(sig.visible_info().is_none());
        sig.visible = true;
        let info = sig.visible_info().unwrap();
        assert_eq!(info.location_value, "page=1,x=379,y=36");
        sig.placement = Placement::Coordinates;
        sig.page = 2;
        sig.x = 70.0;
        sig.y = 100.5;
        assert_eq!(
            sig.visible_info().unwrap().location_value,
            "page=2,x=70,y=100.5"
        );
    }

    #[test]
    fn sandbox_uses_the_running_address() {
        let s = Settings::default();
        let env = s
            .environment("sandbox")
            .unwrap()
            .to_environment(Some("http://127.0.0.1:9"))
            .unwrap();
        assert_eq!(env.kind, EnvironmentKind::Sandbox);
        assert!(env.token_url.starts_with("http://127.0.0.1:9/"));
        let staging = s
            .environment("staging")
            .unwrap()
            .to_environment(None)
            .unwrap();
        assert_eq!(staging.kind, EnvironmentKind::Staging);
    }
}
