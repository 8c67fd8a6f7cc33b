//! Plain words for a document the service refused to sign (`signStatus: ERROR_SIGNING`).

use crate::error::Lang;
use crate::model::SignError;

pub fn message(error: Option<&SignError>, lang: Lang) -> String {
    let pt = lang == Lang::Pt;
    let text = match error {
        Some(SignError::InvalidCertServiceCreds) => {
            if pt {
                "O serviço de certificados recusou as credenciais ou a conta não tem créditos. Contacte o administrador ou a Multicert."
            } else {
                "The certificate service refused its credentials, or the account has no credits. Contact your administrator or Multicert."
            }
        }
        Some(SignError::InvalidCertAccessAccount) => {
            if pt {
                "O acesso à conta do certificado expirou ou é inválido (renove-o no backoffice a cada 60 dias). Contacte o administrador."
            } else {
                "Access to the certificate account expired or is invalid (renew it in the backoffice every 60 days). Contact your administrator."
            }
        }
        Some(SignError::TimestampSignError) => {
            if pt {
                "Não foi possível obter o carimbo temporal. Tente de novo, ou assine sem carimbo temporal."
            } else {
                "The timestamp could not be obtained. Try again, or sign without a timestamp."
            }
        }
        Some(SignError::ConfigurationSignError) => {
            if pt {
                "A configuração da assinatura não serve para este documento (por exemplo, a página da assinatura visível não existe). Reveja as opções."
            } else {
                "The signature settings do not fit this document (for example, the visible signature's page does not exist). Check the options."
            }
        }
        Some(SignError::InvalidCertificateSignError) => {
            if pt {
                "O certificado de assinatura não é válido. Contacte o administrador ou a Multicert."
            } else {
                "The signing certificate is not valid. Contact your administrator or Multicert."
            }
        }
        _ => {
            if pt {
                "O serviço não conseguiu assinar este documento. Verifique se o ficheiro abre corretamente e tente de novo."
            } else {
                "The service could not sign this document. Check that the file opens correctly and try again."
            }
        }
    };
    text.to_string()
}
