//! STUB until the pades branch lands.
use crate::pki::Pki;
#[derive(Clone, Debug)]
pub struct VisibleBox {
    pub page: u32,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub lines: Vec<String>,
    pub font_size: f32,
    pub background: Option<[u8; 3]>,
}
pub struct PadesRequest<'a> {
    pub reason: Option<&'a str>,
    pub location: Option<&'a str>,
    pub timestamp: bool,
    pub visible: Option<VisibleBox>,
    pub signing_time: time::OffsetDateTime,
}
#[derive(Debug, thiserror::Error)]
pub enum PadesError {
    #[error("page {page} out of {pages}")]
    PageOutOfRange { page: u32, pages: u32 },
    #[error("stub")]
    Internal,
}
pub fn sign_pdf(input: &[u8], _pki: &Pki, _req: &PadesRequest) -> Result<Vec<u8>, PadesError> {
    let mut v = input.to_vec();
    v.extend_from_slice(b"\n%stub\n");
    Ok(v)
}
