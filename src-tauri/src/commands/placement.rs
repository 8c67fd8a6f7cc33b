//! Placement by preview: the bytes of a PDF the user added, for pdf.js to draw in the window, and
//! the boxes placed on it, which become each document's visible signature.
//!
//! Only files that came in through the intake (drop, dialogs, "open with") are served: the UI is
//! never a way to read an arbitrary file from disk.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use serde::Deserialize;
use signstash_core::error::Lang;
use signstash_core::model::{LocationType, TemplateType, VisibleSignatureInfo};
use tauri::ipc::Response;
use tauri::State;
use ts_rs::TS;

use crate::error::{AppError, Result};
use crate::intake::{DocumentType, Intake};
use crate::state::{lock, AppState};

/// pdf.js holds the whole file in memory; invoices are far smaller.
pub const MAX_PREVIEW_BYTES: u64 = 50 * 1024 * 1024;
/// The largest PDF page (200 in), in points.
const MAX_POINTS: f64 = 14_400.0;

/// PDFs the intake accepted in this run of the app (canonical paths). Global rather than in
/// AppState because the intake is a plain function called from several commands.
static ADDED: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(Mutex::default);

/// Remembers the PDFs of an intake as previewable.
pub fn remember(intake: &Intake) {
    let mut added = lock(&ADDED);
    for file in intake
        .accepted
        .iter()
        .filter(|f| f.kind == DocumentType::Pdf)
    {
        if let Ok(path) = Path::new(&file.path).canonicalize() {
            added.insert(path);
        }
    }
}

fn read_added(path: &str, lang: Lang) -> Result<Vec<u8>> {
    let canonical = Path::new(path)
        .canonicalize()
        .map_err(|e| AppError::Preview("preview.not_added", format!("{path}: {e}"), lang))?;
    if !lock(&ADDED).contains(&canonical) {
        return Err(AppError::Preview(
            "preview.not_added",
            format!("{path} was not added to the list"),
            lang,
        ));
    }
    let size = std::fs::metadata(&canonical)
        .map_err(|e| AppError::Io(format!("{path}: {e}")))?
        .len();
    if size > MAX_PREVIEW_BYTES {
        return Err(AppError::Preview(
            "preview.too_large",
            format!("{path}: {size} bytes (limit {MAX_PREVIEW_BYTES})"),
            lang,
        ));
    }
    std::fs::read(&canonical).map_err(|e| AppError::Io(format!("{path}: {e}")))
}

/// Plain words for the `preview.*` codes.
pub fn message(code: &str, lang: Lang) -> String {
    let pt = lang == Lang::Pt;
    match code {
        "preview.not_added" if pt => "Só é possível pré-visualizar PDF que estejam na lista. Adicione o ficheiro e tente de novo.",
        "preview.not_added" => "Only PDFs in the list can be previewed. Add the file and try again.",
        "preview.too_large" if pt => "Este PDF é demasiado grande para pré-visualizar (mais de 50 MB). Use uma posição fixa nas opções.",
        "preview.too_large" => "This PDF is too large to preview (over 50 MB). Use a fixed position in the options.",
        _ if pt => "A posição da assinatura não é válida. Abra a pré-visualização e coloque a caixa de novo.",
        _ => "The signature position is not valid. Open the preview and place the box again.",
    }
    .into()
}

/// The bytes of an added PDF, as a binary IPC answer (an ArrayBuffer in the UI).
#[tauri::command]
pub async fn pdf_for_preview(state: State<'_, AppState>, path: String) -> Result<Response> {
    let lang = state.lang();
    tauri::async_runtime::spawn_blocking(move || read_added(&path, lang).map(Response::new))
        .await
        .map_err(|e| AppError::Io(e.to_string()))?
}

/// A box placed on one document of the batch, in the API's terms: page (1 = first), lower-left
/// corner relative to the page's lower-left corner, and size, in PDF points of the unrotated page.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentPlacement {
    /// Place of the document in the list given to `start_signing`.
    pub index: usize,
    pub page: u32,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl DocumentPlacement {
    /// The visible signature for this document, with the options' template text.
    pub fn visible_info(&self, template: &str, lang: Lang) -> Result<VisibleSignatureInfo> {
        let position = |v: f64| v.is_finite() && (0.0..=MAX_POINTS).contains(&v);
        let size = |v: f64| v.is_finite() && (1.0..=MAX_POINTS).contains(&v);
        if self.page == 0
            || !position(self.x)
            || !position(self.y)
            || !size(self.width)
            || !size(self.height)
        {
            return Err(AppError::Preview(
                "preview.bad_placement",
                format!("{self:?}"),
                lang,
            ));
        }
        let round = |v: f64| (v * 100.0).round() / 100.0;
        let template = template.trim();
        Ok(VisibleSignatureInfo {
            location_type: LocationType::Coordinate,
            location_value: format!("page={},x={},y={}", self.page, round(self.x), round(self.y)),
            area: Some(format!(
                "width={},height={}",
                round(self.width),
                round(self.height)
            )),
            area_background_color: None,
            font: None,
            template_type: (!template.is_empty()).then_some(TemplateType::OneOff),
            one_off_template: (!template.is_empty()).then(|| template.to_string()),
            image_type: None,
            image_value: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::AcceptedFile;

    fn intake(path: &Path, kind: DocumentType) -> Intake {
        Intake {
            accepted: vec![AcceptedFile {
                path: path.to_string_lossy().into_owned(),
                size: 0,
                kind,
            }],
            rejected: vec![],
        }
    }

    #[test]
    fn only_added_pdfs_are_served() {
        let dir = tempfile::tempdir().unwrap();
        let added = dir.path().join("added.pdf");
        let other = dir.path().join("other.pdf");
        let xml = dir.path().join("invoice.xml");
        for p in [&added, &other, &xml] {
            std::fs::write(p, b"%PDF-1.7\n").unwrap();
        }
        assert_eq!(
            read_added(&added.to_string_lossy(), Lang::En)
                .unwrap_err()
                .code(),
            "preview.not_added"
        );
        remember(&intake(&added, DocumentType::Pdf));
        remember(&intake(&xml, DocumentType::Xml));
        assert_eq!(
            read_added(&added.to_string_lossy(), Lang::En).unwrap(),
            b"%PDF-1.7\n"
        );
        // The same file by another spelling is the same file.
        let dotted = dir.path().join(".").join("added.pdf");
        assert!(read_added(&dotted.to_string_lossy(), Lang::En).is_ok());
        for refused in [&other, &xml] {
            let err = read_added(&refused.to_string_lossy(), Lang::En).unwrap_err();
            assert_eq!(err.code(), "preview.not_added");
        }
        assert!(read_added("/etc/passwd", Lang::En).is_err());
    }

    #[test]
    fn a_placement_becomes_coordinates_and_area() {
        let placement = DocumentPlacement {
            index: 0,
            page: 3,
            x: 300.004,
            y: 400.0,
            width: 150.5,
            height: 60.0,
        };
        let info = placement.visible_info(" Assinado ", Lang::En).unwrap();
        assert_eq!(info.location_value, "page=3,x=300,y=400");
        assert_eq!(info.area.as_deref(), Some("width=150.5,height=60"));
        assert_eq!(info.one_off_template.as_deref(), Some("Assinado"));
        for bad in [
            DocumentPlacement {
                page: 0,
                ..placement.clone()
            },
            DocumentPlacement {
                x: -1.0,
                ..placement.clone()
            },
            DocumentPlacement {
                width: 0.0,
                ..placement.clone()
            },
            DocumentPlacement {
                height: f64::NAN,
                ..placement.clone()
            },
        ] {
            assert_eq!(
                bad.visible_info("t", Lang::En).unwrap_err().code(),
                "preview.bad_placement"
            );
        }
    }
}
