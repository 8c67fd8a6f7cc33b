//! `signstash credentials set|delete|status --env X`: the keyring entry the app uses too. The secret
//! is read from a prompt or standard input, never from the command line (it would land in history).

use std::io::{BufRead, IsTerminal};

use clap::{Args, Subcommand};
use signstash_core::credentials::CredentialStore;
use signstash_core::network::proxy::ProxyCredentials;
use signstash_core::token::Credentials;

#[derive(Args)]
pub struct CredentialsArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Save the client id and secret of an environment (the secret is asked for, or read from stdin).
    Set {
        #[arg(long)]
        env: String,
        #[arg(long)]
        client_id: String,
    },
    /// Delete the saved credentials of an environment.
    Delete {
        #[arg(long)]
        env: String,
    },
    /// Say whether credentials are saved (never shows the secret).
    Status {
        #[arg(long)]
        env: String,
    },
    /// Save the HTTP proxy's user and password (the password is asked for, or read from stdin).
    SetProxy {
        #[arg(long)]
        user: String,
    },
    /// Delete the saved HTTP proxy user and password.
    DeleteProxy,
}

fn read_secret() -> Result<String, String> {
    let secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Client secret: ").map_err(|e| e.to_string())?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if secret.is_empty() {
        return Err("the secret is empty; nothing was saved".into());
    }
    Ok(secret)
}

pub fn run(args: CredentialsArgs) -> Result<(), String> {
    let store = CredentialStore::default();
    match args.action {
        Action::Set { env, client_id } => {
            let secret = read_secret()?;
            store
                .save(&env, &Credentials::new(client_id, secret))
                .map_err(|e| e.to_string())?;
            println!("credentials of '{env}' saved in the system keyring");
        }
        Action::Delete { env } => {
            store.delete(&env).map_err(|e| e.to_string())?;
            println!("credentials of '{env}' deleted");
        }
        Action::Status { env } => match store.load(&env).map_err(|e| e.to_string())? {
            Some(credentials) => println!("'{env}': saved for client {}", credentials.client_id),
            None => println!("'{env}': no credentials saved"),
        },
        Action::SetProxy { user } => {
            let password = crate::network_args::read_password("Proxy password: ")?;
            store
                .save_proxy(&ProxyCredentials::new(user, password))
                .map_err(|e| e.to_string())?;
            println!("proxy user and password saved in the system keyring");
        }
        Action::DeleteProxy => {
            store.delete_proxy().map_err(|e| e.to_string())?;
            println!("proxy user and password deleted");
        }
    }
    Ok(())
}
