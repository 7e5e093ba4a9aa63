/* gst-resilient: the one failure taxonomy.
 *
 * Why an input (failoversrc's candidate) or an output (autorestoresink's
 * session, a WHIP/WHEP session) stopped working. One enum for every
 * element, so a reason means the same everywhere it appears (bus messages,
 * statistics, metrics labels, the event log); `failure_name` gives the
 * string those carry. Each element classifies what it saw into one of
 * these and passes only the enum to its decision classes; names are never
 * compared as strings.
 *
 * failoversrc uses the input reasons (as failover::FailureReason),
 * autorestoresink the output reasons (as restore::FailureKind); ClusterDown
 * is both.
 */
#pragma once

namespace resilient {

enum class Failure {
  /* Inputs. */
  Error,       /* the input posted an error */
  Eos,         /* the input ended */
  Timeout,     /* no data for the configured time */
  LowBitrate,  /* below the configured bitrate */
  PadRemoved,  /* the input's pad went away */
  Unsupported, /* unknown scheme, missing plugin */
  BadUri,      /* unparsable URI */
  Undecodable, /* bytes from the source, nothing parsed */
  BlackVideo,  /* the picture stayed black */
  FrozenVideo, /* the picture stayed the same (a repeated frame) */
  SilentAudio, /* the audio stayed silent */
  /* Both: the cluster resolver's status callback reported the host (or the
   * stream on it) down. */
  ClusterDown,
  /* Outputs. */
  ServerLost,     /* the connection to the server broke */
  ConnectFailed,  /* the server could not be reached (failoversrc: nothing
                   * came out of the source within connect-timeout) */
  PublishStopped, /* the server ended the publish, connection still up */
  BitrateZero,    /* nothing left although media came in */
  PingsMissing,   /* the peer stopped acknowledging */
  NetworkChanged, /* the host's network changed */
  Refused,        /* the server refused this publisher: fatal */
  LocalError,     /* missing encoder, caps, bad URI: fatal */
};

/* The string bus messages, statistics and metrics carry ("low-bitrate",
 * "server-lost", ...). */
constexpr const char *
failure_name (Failure f)
{
  switch (f) {
  case Failure::Error:
    return "error";
  case Failure::Eos:
    return "eos";
  case Failure::Timeout:
    return "timeout";
  case Failure::LowBitrate:
    return "low-bitrate";
  case Failure::PadRemoved:
    return "pad-removed";
  case Failure::Unsupported:
    return "unsupported";
  case Failure::BadUri:
    return "bad-uri";
  case Failure::Undecodable:
    return "undecodable";
  case Failure::BlackVideo:
    return "black";
  case Failure::FrozenVideo:
    return "frozen";
  case Failure::SilentAudio:
    return "silent";
  case Failure::ClusterDown:
    return "cluster-down";
  case Failure::ServerLost:
    return "server-lost";
  case Failure::ConnectFailed:
    return "connect-failed";
  case Failure::PublishStopped:
    return "publish-stopped";
  case Failure::BitrateZero:
    return "bitrate-zero";
  case Failure::PingsMissing:
    return "pings-missing";
  case Failure::NetworkChanged:
    return "network-changed";
  case Failure::Refused:
    return "refused";
  case Failure::LocalError:
    return "local-error";
  }
  return "unknown";
}

} // namespace resilient
