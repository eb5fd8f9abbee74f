//! `scimcheck cleanup`: removes what a named run left behind, and nothing else.

use std::io::Write;

use crate::cli::CleanupArgs;
use crate::error::{Error, EXIT_FINDINGS, EXIT_OK};
use crate::exec::cleanup::{self, SearchError};
use crate::exec::Client;
use crate::plan::RunId;

use super::target;

pub async fn cleanup(args: CleanupArgs) -> Result<i32, Error> {
    let run_id = RunId::parse(&args.run_id).map_err(Error::Usage)?;
    let base_url = target::normalise_base_url(&args.base_url)?;
    let auth = target::auth(&args.target)?;
    let client = Client::new(target::client_config(base_url.clone(), &args.target, auth)?)
        .map_err(Error::Usage)?;
    let prefix = run_id.prefix();
    let found = cleanup::find(&client, &prefix).await.map_err(|e| match e {
        SearchError::Rejected(why) => Error::Unauthorized(why),
        SearchError::Failed(why) => {
            Error::Unreachable(format!("the target could not be reached: {why}"))
        }
    })?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{} of run {run_id} on {base_url}",
        crate::report::grammar::count(found.len(), "resource")
    );
    let mut failed = 0;
    for entry in &found {
        let path = format!("{}/{}", entry.kind.endpoint(), entry.id);
        if args.dry_run {
            let _ = writeln!(out, "  would delete {path} ({})", entry.name);
            continue;
        }
        match cleanup::delete(&client, entry).await {
            Ok(()) => {
                let _ = writeln!(out, "  deleted {path} ({})", entry.name);
            }
            Err(reason) => {
                failed += 1;
                let _ = writeln!(out, "  could not delete {path} ({}): {reason}", entry.name);
            }
        }
    }
    Ok(if failed > 0 { EXIT_FINDINGS } else { EXIT_OK })
}
