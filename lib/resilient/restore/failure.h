/* gst-resilient: why a publish session ended, and whether that is worth a
 * retry.
 *
 * The element classifies what it saw (an error from the transport, an EOS,
 * a watcher's verdict) into one of these kinds; the restore scheduler acts on
 * the kind only. Local errors and refusals are fatal: they are reported once
 * and never retried in a loop, because retrying cannot fix them.
 */
#pragma once

namespace resilient::restore {

enum class FailureKind {
  /* The connection to the server broke (reset, closed, write failed). */
  ServerLost,
  /* The server could not be reached (refused, timed out, no route). */
  ConnectFailed,
  /* The server ended the publish while the connection stayed up. */
  PublishStopped,
  /* Nothing left the element for the configured number of check intervals
   * although media was coming in. */
  BitrateZero,
  /* The peer stopped acknowledging (RTMP acks, SRT ACKs, RTCP). */
  PingsMissing,
  /* The host's network changed; the old connection is not trusted. */
  NetworkChanged,
  /* The cluster resolver's status callback reported the host (or the
   * stream on it) down: go to another host of the cluster at once; not
   * remembered against the host. */
  ClusterDown,
  /* The server refused this publisher (stream key, token, codec). Fatal. */
  Refused,
  /* A local problem: missing encoder, caps that cannot negotiate, a bad
   * URI. Fatal. */
  LocalError,
};

constexpr bool
is_fatal (FailureKind k)
{
  return k == FailureKind::Refused || k == FailureKind::LocalError;
}

constexpr const char *
failure_kind_name (FailureKind k)
{
  switch (k) {
  case FailureKind::ServerLost:
    return "server-lost";
  case FailureKind::ConnectFailed:
    return "connect-failed";
  case FailureKind::PublishStopped:
    return "publish-stopped";
  case FailureKind::BitrateZero:
    return "bitrate-zero";
  case FailureKind::PingsMissing:
    return "pings-missing";
  case FailureKind::NetworkChanged:
    return "network-changed";
  case FailureKind::ClusterDown:
    return "cluster-down";
  case FailureKind::Refused:
    return "refused";
  case FailureKind::LocalError:
    return "local-error";
  }
  return "unknown";
}

} // namespace resilient::restore
