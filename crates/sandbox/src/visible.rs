//! `visibleSignatureInfo` (spec §7): parsing its `key=value` strings, expanding the template, and
//! checking an image against its area.

use crate::error::ApiError;
use crate::model::VisibleSignatureInfoIn;
use crate::pades::VisibleBox;

/// The area the service uses when `area` is left out ("system settings"; the size is our choice).
const DEFAULT_AREA: (f32, f32) = (180.0, 50.0);
const DEFAULT_FONT_SIZE: f32 = 8.0;
/// The template used for `SERVICE_CUSTOMIZATION` or when none is given.
const SYSTEM_TEMPLATE: &str = "Assinado digitalmente por $certificate.getCommonName()";

/// Reads `a=1,b=2` lists; keys are case-insensitive, spaces around items are ignored.
fn pairs(text: &str) -> impl Iterator<Item = (String, &str)> {
    text.split(',').filter_map(|item| {
        let (k, v) = item.split_once('=')?;
        Some((k.trim().to_ascii_lowercase(), v.trim()))
    })
}

fn number(text: &str, key: &str, field: &str) -> Result<f32, ApiError> {
    let value = pairs(text)
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .ok_or_else(|| ApiError::Invalid(format!("{field} lacks {key}= (got '{text}')")))?;
    value
        .parse::<f32>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .ok_or_else(|| ApiError::Invalid(format!("{field}: {key}={value} is not a number >= 0")))
}

fn colour(text: &str) -> Result<Option<[u8; 3]>, ApiError> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("transparent") {
        return Ok(None);
    }
    let hex = text
        .strip_prefix('#')
        .filter(|h| h.len() == 6 && h.is_ascii());
    let parse = |h: &str| -> Option<[u8; 3]> {
        Some([
            u8::from_str_radix(h.get(0..2)?, 16).ok()?,
            u8::from_str_radix(h.get(2..4)?, 16).ok()?,
            u8::from_str_radix(h.get(4..6)?, 16).ok()?,
        ])
    };
    hex.and_then(parse).map(Some).ok_or_else(|| {
        ApiError::Invalid(format!(
            "areaBackgroundColor '{text}' is neither #RRGGBB nor transparent"
        ))
    })
}

/// Expands the Velocity template: `$certificate.getCommonName()` (the only documented variable) and
/// `\n` line breaks, given literally or as real newlines.
pub fn expand_template(template: &str, common_name: &str) -> Vec<String> {
    template
        .replace("${certificate.getCommonName()}", common_name)
        .replace("$certificate.getCommonName()", common_name)
        .replace("\\n", "\n")
        .lines()
        .map(str::to_string)
        .collect()
}

/// Validates `visibleSignatureInfo` of document `field` and turns it into the box to draw.
pub fn parse(
    info: &VisibleSignatureInfoIn,
    field: &str,
    common_name: &str,
) -> Result<VisibleBox, ApiError> {
    let location_type = info
        .location_type
        .as_deref()
        .ok_or_else(|| ApiError::MissingField(format!("{field}.locationType")))?;
    let location_value = info
        .location_value
        .as_deref()
        .ok_or_else(|| ApiError::MissingField(format!("{field}.locationValue")))?;
    match location_type {
        "COORDINATE" => {}
        "SIGN_FIELD" | "PLACEHOLDER" => {
            return Err(ApiError::Invalid(format!(
                "{field}.locationType {location_type} is not offered by the sandbox; use COORDINATE"
            )))
        }
        other => {
            return Err(ApiError::Invalid(format!(
                "{field}.locationType '{other}' is not a known value"
            )))
        }
    }
    let location_field = format!("{field}.locationValue");
    let page = number(location_value, "page", &location_field)?;
    if page < 1.0 || page.fract() != 0.0 {
        return Err(ApiError::Invalid(format!(
            "{location_field}: page must be a whole number from 1"
        )));
    }
    let x = number(location_value, "x", &location_field)?;
    let y = number(location_value, "y", &location_field)?;

    let (width, height) = match info.area.as_deref() {
        Some(area) => {
            let area_field = format!("{field}.area");
            (
                number(area, "width", &area_field)?,
                number(area, "height", &area_field)?,
            )
        }
        None => DEFAULT_AREA,
    };
    let background = match info.area_background_color.as_deref() {
        Some(text) => colour(text)?,
        None => None,
    };
    // Only black text exists on the service; a colour is accepted and drawn black.
    let font_size = match info.font.as_deref() {
        Some(font) if pairs(font).any(|(k, _)| k == "size") => {
            number(font, "size", &format!("{field}.font"))?.max(1.0)
        }
        _ => DEFAULT_FONT_SIZE,
    };
    let template = match info.template_type.as_deref() {
        Some("ONE_OFF") => info
            .one_off_template
            .as_deref()
            .ok_or_else(|| ApiError::MissingField(format!("{field}.oneOffTemplate")))?,
        Some("SERVICE_CUSTOMIZATION") => SYSTEM_TEMPLATE,
        Some(other) => {
            return Err(ApiError::Invalid(format!(
                "{field}.templateType '{other}' is not a known value"
            )))
        }
        None => info.one_off_template.as_deref().unwrap_or(SYSTEM_TEMPLATE),
    };
    if let Some(image) = info.image_value.as_deref() {
        check_image(info.image_type.as_deref(), image, (width, height), field)?;
    }
    Ok(VisibleBox {
        page: page as u32,
        x,
        y,
        width,
        height,
        lines: expand_template(template, common_name),
        font_size,
        background,
    })
}

/// The service refuses an image that does not fit the area (`2.2.1`). The sandbox checks it but
/// does not draw images.
fn check_image(
    kind: Option<&str>,
    base64: &str,
    area: (f32, f32),
    field: &str,
) -> Result<(), ApiError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .map_err(|_| ApiError::Invalid(format!("{field}.imageValue is not valid base64")))?;
    let size = match kind {
        Some("IMAGE_PNG") | None if bytes.starts_with(b"\x89PNG") => png_size(&bytes),
        Some("IMAGE_JPG") | None if bytes.starts_with(&[0xFF, 0xD8]) => jpeg_size(&bytes),
        Some("IMAGE_PNG") | Some("IMAGE_JPG") | None => None,
        Some(other) => {
            return Err(ApiError::Invalid(format!(
                "{field}.imageType '{other}' is not a known value"
            )))
        }
    };
    let (w, h) = size.ok_or_else(|| {
        ApiError::Invalid(format!(
            "{field}.imageValue is not a readable PNG or JPEG image"
        ))
    })?;
    if w as f32 > area.0 || h as f32 > area.1 {
        return Err(ApiError::ImageLargerThanArea(format!(
            "Document {field} signature. The visible area is smaller than the uploaded image."
        )));
    }
    Ok(())
}

fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
    let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
    Some((w, h))
}

/// Walks the JPEG markers to the first start-of-frame, which holds the size.
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 9 < bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        let length = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        let is_frame = matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF);
        if is_frame {
            let h = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]) as u32;
            let w = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]) as u32;
            return Some((w, h));
        }
        i += 2 + length;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(value: &str) -> VisibleSignatureInfoIn {
        VisibleSignatureInfoIn {
            location_type: Some("COORDINATE".into()),
            location_value: Some(value.into()),
            ..Default::default()
        }
    }

    #[test]
    fn parses_coordinates_area_font_and_template() {
        let mut i = info("page=2, x=70 ,y=100.5");
        i.area = Some("width=155,height=50".into());
        i.font = Some("color=#000000,size=9,name=arial".into());
        i.area_background_color = Some("#FFEECC".into());
        i.template_type = Some("ONE_OFF".into());
        i.one_off_template = Some("Assinado por $certificate.getCommonName()\\nData: hoje".into());
        let b = parse(&i, "documents[0]", "CN X").unwrap();
        assert_eq!(
            (b.page, b.x, b.y, b.width, b.height, b.font_size),
            (2, 70.0, 100.5, 155.0, 50.0, 9.0)
        );
        assert_eq!(b.background, Some([0xFF, 0xEE, 0xCC]));
        assert_eq!(
            b.lines,
            vec!["Assinado por CN X".to_string(), "Data: hoje".into()]
        );
    }

    #[test]
    fn refuses_what_the_service_refuses() {
        assert!(matches!(
            parse(&info("page=1,x=1"), "d", "c"),
            Err(ApiError::Invalid(_))
        ));
        assert!(matches!(
            parse(&info("page=0,x=1,y=1"), "d", "c"),
            Err(ApiError::Invalid(_))
        ));
        let mut missing = info("page=1,x=1,y=1");
        missing.location_type = None;
        assert!(matches!(
            parse(&missing, "d", "c"),
            Err(ApiError::MissingField(_))
        ));
        let mut one_off = info("page=1,x=1,y=1");
        one_off.template_type = Some("ONE_OFF".into());
        assert!(matches!(
            parse(&one_off, "d", "c"),
            Err(ApiError::MissingField(_))
        ));
        let mut placeholder = info("FATURA");
        placeholder.location_type = Some("PLACEHOLDER".into());
        assert!(matches!(
            parse(&placeholder, "d", "c"),
            Err(ApiError::Invalid(_))
        ));
    }

    #[test]
    fn an_image_larger_than_its_area_is_2_2_1() {
        // A PNG header claiming 400x100 pixels.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&400u32.to_be_bytes());
        png.extend_from_slice(&100u32.to_be_bytes());
        use base64::Engine;
        let mut i = info("page=1,x=1,y=1");
        i.area = Some("width=155,height=50".into());
        i.image_type = Some("IMAGE_PNG".into());
        i.image_value = Some(base64::engine::general_purpose::STANDARD.encode(&png));
        assert!(matches!(
            parse(&i, "d", "c"),
            Err(ApiError::ImageLargerThanArea(_))
        ));
        i.area = Some("width=500,height=150".into());
        assert!(parse(&i, "d", "c").is_ok());
    }
}
