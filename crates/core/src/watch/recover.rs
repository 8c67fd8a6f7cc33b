//! After a restart: a file whose request may have reached the service is not sent again. The
//! hosted service is asked about its externalReference; if it signed the file, the signed
//! document is fetched, verified against the original and saved as if the answer had arrived.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::batch::Failure;
use crate::client::SignStashClient;
use crate::detect;
use crate::error::Lang;
use crate::model::SignStatus;
use crate::output::OutputWriter;
use crate::verify;

/// What the service knows of a reference.
#[derive(Debug)]
pub enum Recovery {
    /// It had signed it: fetched, verified and saved here.
    Saved(PathBuf),
    /// It never signed it (unknown reference, or the document failed there): safe to send again.
    NotSigned,
    /// Could not ask now (network, service down): ask again later, leave the file where it is.
    AskLater(Failure),
    /// It may be signed but cannot be fetched (an on-premise Proxy Client has no consult
    /// endpoints, or the content is not in the answer): not sent again, reported instead.
    Unknown(Failure),
}

fn failure(code: &str, message: String) -> Failure {
    Failure {
        code: code.into(),
        message,
    }
}

/// Asks the service about `reference`, the externalReference under which `input` was sent.
pub async fn recover_by_reference(
    client: &SignStashClient,
    writer: &OutputWriter,
    input: &Path,
    original: &[u8],
    reference: &str,
    lang: Lang,
) -> Recovery {
    let pt = lang == Lang::Pt;
    if !client.environment().hosted {
        let message = if pt {
            format!("O programa parou enquanto este ficheiro estava a ser enviado (referência {reference}) e um Proxy Client local não permite confirmar se foi assinado. Para não o assinar duas vezes, não foi enviado de novo: confirme no Backoffice Sign'Stash.")
        } else {
            format!("The program stopped while this file was being sent (reference {reference}) and a local Proxy Client cannot tell whether it was signed. So that it is not signed twice, it was not sent again: check in the Sign'Stash Backoffice.")
        };
        return Recovery::Unknown(failure("watch.outcome_unknown", message));
    }
    let ask_later = |e: crate::error::SignStashError| {
        if e.is_retryable() {
            Recovery::AskLater(failure(e.code(), e.message(lang)))
        } else {
            Recovery::Unknown(failure(e.code(), e.message(lang)))
        }
    };
    let id = match client.operation_id_by_reference(reference).await {
        Ok(None) => return Recovery::NotSigned,
        Ok(Some(id)) => id,
        Err(e) => return ask_later(e),
    };
    let operation = match client.operation_detail(id, true).await {
        Ok(operation) => operation,
        Err(e) => return ask_later(e),
    };
    let Some(document) = operation
        .document_list
        .iter()
        .find(|d| d.external_reference.as_deref() == Some(reference))
    else {
        return Recovery::NotSigned;
    };
    if document.sign_status != Some(SignStatus::Signed) {
        return Recovery::NotSigned;
    }
    let unfetchable = || {
        let message = if pt {
            format!("O serviço já tinha assinado este ficheiro (operação {id}), mas não devolveu o documento assinado. Para não o assinar duas vezes, não foi enviado de novo: obtenha-o no Backoffice Sign'Stash.")
        } else {
            format!("The service had already signed this file (operation {id}) but did not return the signed document. So that it is not signed twice, it was not sent again: get it from the Sign'Stash Backoffice.")
        };
        Recovery::Unknown(failure("watch.signed_not_fetched", message))
    };
    let Some(Ok(signed)) = document
        .signed_content
        .as_deref()
        .map(|c| STANDARD.decode(c.trim()))
    else {
        return unfetchable();
    };
    let kind = match detect::detect(original) {
        Ok(kind) => kind,
        Err(e) => return Recovery::Unknown(failure(e.code(), e.message(lang))),
    };
    if let Err(e) = verify::verify_signed(kind, original, &signed) {
        return Recovery::Unknown(failure(e.code(), e.to_string()));
    }
    // Killed between saving the output and moving the original: the same bytes are already there.
    if let Some(existing) = writer.identical_output(input, &signed) {
        tracing::info!(operation = id, output = %existing.display(), "a document the service had signed was already saved");
        return Recovery::Saved(existing);
    }
    match writer.write(input, &signed) {
        Ok(output) => {
            tracing::info!(operation = id, output = %output.display(), "recovered a document the service had already signed");
            Recovery::Saved(output)
        }
        Err(e) => Recovery::AskLater(failure(e.code(), e.to_string())),
    }
}
