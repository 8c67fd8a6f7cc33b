//! STUB until the pades branch lands.
use std::path::{Path, PathBuf};
pub struct Identity {
    pub common_name: String,
    pub cert_der: Vec<u8>,
    pub cert_pem: String,
    pub key_pem: String,
}
pub struct Pki {
    pub ca: Identity,
    pub signer: Identity,
    pub tsa: Identity,
    pub ca_cert_path: PathBuf,
}
#[derive(Debug, thiserror::Error)]
#[error("pki stub")]
pub struct PkiError;
fn stub(cn: &str) -> Identity {
    Identity {
        common_name: cn.into(),
        cert_der: vec![],
        cert_pem: String::new(),
        key_pem: String::new(),
    }
}
impl Pki {
    pub fn load_or_create(dir: &Path) -> Result<Pki, PkiError> {
        Ok(Pki {
            ca: stub("ca"),
            signer: stub("Sandbox signer - SANDBOX - NOT VALID"),
            tsa: stub("tsa"),
            ca_cert_path: dir.join("ca.pem"),
        })
    }
}
