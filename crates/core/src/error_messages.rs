//! The words shown to a person for each [`SignStashError`]: what happened and what to do, Portuguese
//! first. The machine code and the service's own text go in the support detail line, not here.

use crate::error::{Lang, SignStashError, UrlField};

fn pick(lang: Lang, pt: String, en: String) -> String {
    match lang {
        Lang::Pt => pt,
        Lang::En => en,
    }
}

pub(crate) fn message(error: &SignStashError, lang: Lang) -> String {
    use SignStashError::*;
    match error {
        InvalidUrl { field, reason } => {
            let (pt, en) = match field {
                UrlField::TokenUrl => ("do token", "token URL"),
                UrlField::ApiBase => ("do serviço", "service address"),
                UrlField::Proxy => ("do proxy", "proxy address"),
            };
            pick(
                lang,
                format!("O endereço {pt} não é válido ({reason}). Corrija-o nas Definições deste ambiente."),
                format!("The {en} is not valid ({reason}). Correct it in this environment's Settings."),
            )
        }
        ConsultUnavailable => pick(
            lang,
            "Este ambiente usa um Proxy Client local, que só permite assinar. A consulta de operações só existe no serviço alojado da Multicert.".into(),
            "This environment uses a local Proxy Client, which can only sign. Looking up operations is only possible on Multicert's hosted service.".into(),
        ),
        HttpClient(_) => pick(
            lang,
            "Não foi possível preparar a ligação de rede. Reinicie a aplicação; se continuar, contacte o suporte.".into(),
            "The network connection could not be prepared. Restart the app; if it keeps happening, contact support.".into(),
        ),
        CaCertificate { reason } => pick(
            lang,
            format!("O certificado de autoridade (CA) adicional configurado não pode ser usado ({reason}). Peça ao administrador da rede o certificado em formato PEM e escolha-o de novo nas Definições deste ambiente."),
            format!("The extra certificate authority (CA) certificate configured cannot be used ({reason}). Ask the network administrator for the certificate in PEM format and choose it again in this environment's Settings."),
        ),
        InvalidClient { .. } => pick(
            lang,
            "As credenciais do serviço foram rejeitadas: o identificador ou o segredo do cliente estão errados. Peça ao administrador para os rever nas Definições deste ambiente.".into(),
            "The service credentials were rejected: the client ID or client secret is wrong. Ask your administrator to check them in this environment's Settings.".into(),
        ),
        BadTokenRequest { .. } => pick(
            lang,
            "O servidor de autenticação recusou o pedido de acesso. Confirme nas Definições que o endereço do token é o deste ambiente; se estiver certo, contacte o suporte.".into(),
            "The authorisation server refused the access request. Check in Settings that the token URL is this environment's; if it is, contact support.".into(),
        ),
        TokenUrlWrong { .. } => pick(
            lang,
            "O endereço do token não responde como um servidor de autenticação Sign'Stash. Confirme-o nas Definições deste ambiente ou use «Repor predefinições».".into(),
            "The token URL does not answer like a Sign'Stash authorisation server. Check it in this environment's Settings, or use \"Reset to defaults\".".into(),
        ),
        TokenExpired(_) => pick(
            lang,
            "O serviço recusou o acesso: a autorização expirou ou é de outro ambiente. Confirme que o endereço do token e o do serviço são do mesmo ambiente (por exemplo, ambos de Produção); num Proxy Client local, confirme também o ambiente configurado no proxy.".into(),
            "The service refused access: the authorisation expired or belongs to another environment. Check that the token URL and the service address are of the same environment (for example, both Production); with a local Proxy Client, also check the environment the proxy is configured for.".into(),
        ),
        InvalidToken { .. } => pick(
            lang,
            "O serviço recusou o acesso, mesmo com uma autorização nova. Confirme que o endereço do token e o do serviço são do mesmo ambiente; se continuar, contacte o suporte.".into(),
            "The service refused access, even with a fresh authorisation. Check that the token URL and the service address are of the same environment; if it keeps happening, contact support.".into(),
        ),
        LicenceInvalid(_) => pick(
            lang,
            "A licença deste serviço de cliente não é válida ou não existe. Peça ao administrador para a verificar no Backoffice Sign'Stash.".into(),
            "This client service's licence is not valid or does not exist. Ask your administrator to check it in the Sign'Stash Backoffice.".into(),
        ),
        ServiceInactive(_) => pick(
            lang,
            "O serviço de cliente ou a conta estão inativos. Peça ao administrador para os ativar no Backoffice Sign'Stash.".into(),
            "The client service or the account is inactive. Ask your administrator to activate it in the Sign'Stash Backoffice.".into(),
        ),
        IssuerInactive(_) => pick(
            lang,
            "A empresa emissora está inativa no Sign'Stash. Peça ao administrador para contactar a Multicert.".into(),
            "The issuing company is inactive in Sign'Stash. Ask your administrator to contact Multicert.".into(),
        ),
        SecretTooWeak(_) => pick(
            lang,
            "O segredo do cliente é demasiado fraco e foi recusado. Peça ao administrador para definir um segredo mais forte no Backoffice e atualizá-lo nas Definições.".into(),
            "The client secret is too weak and was refused. Ask your administrator to set a stronger one in the Backoffice and update it in Settings.".into(),
        ),
        MissingField(_) => pick(
            lang,
            "O pedido enviado estava incompleto: falta um dado obrigatório. É um erro da aplicação; copie o detalhe e envie-o ao suporte.".into(),
            "The request sent was incomplete: a mandatory field is missing. This is a fault in the app; copy the detail and send it to support.".into(),
        ),
        ConfigurationMissing(_) => pick(
            lang,
            "O serviço de cliente não está completamente configurado no Sign'Stash. Contacte o suporte da Multicert.".into(),
            "The client service is not fully configured in Sign'Stash. Contact Multicert support.".into(),
        ),
        TooLarge(_) => pick(
            lang,
            "Um documento ou campo é maior do que o serviço aceita. Reduza o tamanho do ficheiro ou envie menos faturas de cada vez.".into(),
            "A document or field is larger than the service accepts. Make the file smaller or send fewer invoices at a time.".into(),
        ),
        Email(_) => pick(
            lang,
            "As faturas podem ter sido assinadas, mas o e-mail de aviso não foi enviado. Confirme no Histórico antes de tentar de novo.".into(),
            "The invoices may have been signed, but the notification e-mail was not sent. Check History before trying again.".into(),
        ),
        Validation(_) => pick(
            lang,
            "O serviço recusou um dos valores enviados (por exemplo, o tipo de ficheiro ou as opções da assinatura visível). Reveja as opções e tente de novo; se continuar, contacte o suporte.".into(),
            "The service refused one of the values sent (for example the file type or the visible signature options). Review the options and try again; if it keeps happening, contact support.".into(),
        ),
        ReusedReference(_) => pick(
            lang,
            "Esta fatura já foi enviada antes com a mesma referência. Veja no Histórico se já está assinada antes de a enviar outra vez.".into(),
            "This invoice was already sent before with the same reference. Check History to see whether it is already signed before sending it again.".into(),
        ),
        VisibleSignature(_) => pick(
            lang,
            "A assinatura visível não cabe no sítio escolhido (a imagem é maior do que a área, ou o local não existe no documento). Ajuste a assinatura visível nas opções e tente de novo.".into(),
            "The visible signature does not fit where it was placed (the image is larger than the area, or the place does not exist in the document). Adjust the visible signature in the options and try again.".into(),
        ),
        Service(detail) => {
            let code = detail.code.as_deref().unwrap_or("?");
            pick(
                lang,
                format!("O serviço Sign'Stash recusou o pedido (código {code}). Tente de novo mais tarde; se continuar, copie o detalhe e envie-o ao suporte."),
                format!("The Sign'Stash service refused the request (code {code}). Try again later; if it keeps happening, copy the detail and send it to support."),
            )
        }
        ApiNotFound { .. } => pick(
            lang,
            "O endereço do serviço não foi encontrado. Confirme-o nas Definições deste ambiente ou use «Repor predefinições».".into(),
            "The service address was not found. Check it in this environment's Settings, or use \"Reset to defaults\".".into(),
        ),
        UnexpectedStatus { status } => pick(
            lang,
            format!("O serviço respondeu de forma inesperada (HTTP {status}). Tente de novo; se continuar, contacte o suporte."),
            format!("The service answered unexpectedly (HTTP {status}). Try again; if it keeps happening, contact support."),
        ),
        TooManyRequests { .. } => pick(
            lang,
            "O serviço está a receber demasiados pedidos ao mesmo tempo. Espere um pouco e tente de novo; se acontecer muitas vezes, reduza os pedidos em paralelo nas Definições.".into(),
            "The service is receiving too many requests at once. Wait a little and try again; if it happens often, lower the parallel requests in Settings.".into(),
        ),
        ServerError(_) => pick(
            lang,
            "O serviço Sign'Stash teve um problema interno. Tente de novo daqui a alguns minutos.".into(),
            "The Sign'Stash service had an internal problem. Try again in a few minutes.".into(),
        ),
        Dns { host } => pick(
            lang,
            format!("Não foi possível encontrar o servidor {host}. Verifique a ligação à Internet e o endereço nas Definições."),
            format!("The server {host} could not be found. Check the Internet connection and the address in Settings."),
        ),
        ConnectionRefused { host } => pick(
            lang,
            format!("O servidor {host} recusou a ligação. Confirme o endereço e a porta nas Definições e se o serviço (ou o Proxy Client) está a funcionar."),
            format!("The server {host} refused the connection. Check the address and port in Settings, and that the service (or the Proxy Client) is running."),
        ),
        Unreachable { host, .. } => pick(
            lang,
            format!("Não foi possível ligar ao servidor {host}. Verifique a ligação à rede, a firewall ou o proxy da empresa."),
            format!("Could not connect to the server {host}. Check the network connection, the firewall or the company proxy."),
        ),
        ConnectionLost { .. } => pick(
            lang,
            "A ligação ao servidor caiu antes de a resposta chegar. Tente de novo; se o pedido chegou ao serviço, as faturas podem já estar assinadas.".into(),
            "The connection to the server dropped before the answer arrived. Try again; if the request reached the service, the invoices may already be signed.".into(),
        ),
        Timeout { host } => pick(
            lang,
            format!("O servidor {host} demorou demasiado a responder. Tente de novo; se acontecer muitas vezes, envie menos faturas de cada vez ou verifique a rede."),
            format!("The server {host} took too long to answer. Try again; if it happens often, send fewer invoices at a time or check the network."),
        ),
        Tls { host, .. } => pick(
            lang,
            format!("Não foi possível estabelecer uma ligação segura com {host}: o certificado do servidor não é de confiança ou não corresponde ao endereço. Confirme o endereço; numa rede de empresa, fale com o administrador da rede."),
            format!("A secure connection to {host} could not be made: the server's certificate is not trusted or does not match the address. Check the address; on a company network, talk to the network administrator."),
        ),
        ProxyAuth => pick(
            lang,
            "O proxy da rede recusou o utilizador ou a palavra-passe do proxy. Confirme-os nas Definições (Rede); se não os souber, peça-os ao administrador da rede.".into(),
            "The network proxy refused the proxy user name or password. Check them in Settings (Network); if you do not know them, ask the network administrator.".into(),
        ),
        ProxyRefused { host } => pick(
            lang,
            format!("O proxy da rede recusou abrir a ligação a {host}. Se o proxy pede utilizador e palavra-passe, confirme-os nas Definições (Rede); se não, peça ao administrador da rede que permita o acesso a {host}."),
            format!("The network proxy refused to open the connection to {host}. If the proxy asks for a user name and password, check them in Settings (Network); if not, ask the network administrator to allow access to {host}."),
        ),
        Redirect { .. } => pick(
            lang,
            "O servidor tentou enviar o pedido para outro endereço, o que a aplicação não faz por segurança. Confirme o endereço nas Definições (por exemplo, https em vez de http).".into(),
            "The server tried to send the request to another address, which the app does not follow for safety. Check the address in Settings (for example https instead of http).".into(),
        ),
        Malformed { .. } => pick(
            lang,
            "O servidor deu uma resposta que não é a do Sign'Stash. Confirme os endereços nas Definições; se estiverem certos, contacte o suporte.".into(),
            "The server gave an answer that is not Sign'Stash's. Check the addresses in Settings; if they are right, contact support.".into(),
        ),
        AnswerTooLarge { limit_bytes } => {
            let mb = limit_bytes / (1024 * 1024);
            pick(
                lang,
                format!("A resposta do servidor é maior do que o limite de {mb} MB. Envie menos faturas de cada vez."),
                format!("The server's answer is larger than the {mb} MB limit. Send fewer invoices at a time."),
            )
        }
    }
}
