//! aiortc's signaling command-line flags (`add_signaling_arguments`) as a clap struct, so
//! rtcio's programs take the same arguments as aiortc's.

use std::path::PathBuf;

use super::{DEFAULT_HOST, DEFAULT_PATH, DEFAULT_PORT, Signaling};

/// Which signaling channel `--signaling` picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignalingKind {
    /// Standard input and output.
    CopyAndPaste,
    /// A TCP socket at `--signaling-host:--signaling-port`.
    TcpSocket,
    /// A Unix socket at `--signaling-path`.
    UnixSocket,
}

/// `--signaling`, `--signaling-host`, `--signaling-port`, `--signaling-path`, with aiortc's
/// defaults. Flatten it into a program's arguments:
///
/// ```
/// use clap::Parser;
/// use rtcio::signaling::SignalingArgs;
///
/// #[derive(Parser)]
/// struct Cli {
///     #[command(flatten)]
///     signaling: SignalingArgs,
/// }
///
/// let cli = Cli::parse_from(["prog", "--signaling", "tcp-socket", "--signaling-port", "4321"]);
/// assert_eq!(cli.signaling.signaling_port, 4321);
/// ```
#[derive(Debug, Clone, clap::Args)]
pub struct SignalingArgs {
    /// Signaling method (copy-and-paste when absent, as in aiortc).
    #[arg(long, short = 's', value_enum)]
    pub signaling: Option<SignalingKind>,
    /// Signaling host (tcp-socket only).
    #[arg(long, default_value = DEFAULT_HOST)]
    pub signaling_host: String,
    /// Signaling port (tcp-socket only).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub signaling_port: u16,
    /// Signaling socket path (unix-socket only).
    #[arg(long, default_value = DEFAULT_PATH)]
    pub signaling_path: PathBuf,
}

impl SignalingArgs {
    /// The signaling channel these flags describe (aiortc's `create_signaling`).
    pub fn create(&self) -> Signaling {
        match self.signaling {
            Some(SignalingKind::TcpSocket) => {
                Signaling::tcp_socket(self.signaling_host.clone(), self.signaling_port)
            }
            Some(SignalingKind::UnixSocket) => Signaling::unix_socket(self.signaling_path.clone()),
            Some(SignalingKind::CopyAndPaste) | None => Signaling::copy_and_paste(),
        }
    }
}
