/* gst-resilient: the swappable back of a publishing sink.
 *
 * A PublishTransport turns encoded elementary streams into one connection
 * to one server. autorestoresink builds one per publish session, in a
 * GstPipeline of the session's own (so the transport's errors, EOS and
 * async state changes never reach the application's pipeline), feeds it
 * through appsrc elements, polls its health and tears it down on failure.
 *
 * A back-end says which codecs it carries, builds its muxer and network
 * sink behind the appsrcs it is given, reports bytes out and "pings"
 * (something the peer sent back proving it is alive), and classifies the
 * errors its elements post. RTMP (flvmux ! rtmp2sink) and SRT
 * (mpegtsmux ! srtsink) live here; a WHIP back-end (webrtcbin or
 * reswhipsink) plugs in by implementing the same interface and adding its
 * scheme to make_publish_transport().
 *
 * Everything here runs on the owning element's ControlLoop, except
 * count_out_bytes() (a pad probe, any thread).
 */
#pragma once

#include "resilient/restore/failure.h"

#include <gio/gio.h>
#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace resilient::gst {

struct TransportHealth
{
  /* Bytes the transport wrote to the network (or handed to its sink). */
  std::uint64_t bytes_out = 0;
  /* Cumulative count of pings received from the peer. */
  std::uint64_t pings = 0;
  /* The peer owes a ping (it has unacknowledged data beyond its window). */
  bool owed = false;
  /* Media is being accepted by the server (published). */
  bool up = false;
  /* Round-trip time in milliseconds when the transport knows it, else -1. */
  double rtt_ms = -1.0;
  /* Milliseconds since the peer last showed it had our media (WHIP: the
   * last RTCP packet from the server), -1 when the transport cannot
   * tell. The owner dates an outage from there: what viewers saw. */
  std::int64_t ack_age_ms = -1;
};

struct TransportFailure
{
  resilient::restore::FailureKind kind
      = resilient::restore::FailureKind::ServerLost;
  /* The connection had been accepted by the server (TCP/SRT handshake,
   * an HTTP answer): the server is reachable, so a TCP probe's success is
   * no news. */
  bool accepted = false;
  /* The server closed an established session (RTMP: after answering the
   * connect command). A close or reset before that is a connect failure
   * (a load balancer or an ingest restarting), never counted as a
   * refusal. */
  bool closed_by_peer = false;
  /* One line for bus messages and logs, secrets removed. */
  std::string reason;
  /* The server refused the video codec being sent ("h264"): the owner may
   * swap to another codec the transport carries and publish again; without
   * one the failure stays `kind` (Refused). */
  std::string rejected_codec;
  /* The server asked for this wait before the next try (Retry-After), or
   * -1. */
  std::int64_t retry_after_ms = -1;
};

class PublishTransport
{
public:
  virtual ~PublishTransport () = default;

  /* "rtmp", "srt", "whip". */
  virtual const char *protocol () const = 0;
  /* Whether the transport carries this codec ("h264", "vp8", "aac", ...). */
  virtual bool accepts_codec (const std::string &codec) const = 0;
  /* Adds the muxer and network sink to `bin` and links the given appsrcs
   * (either may be null) to them. On a local problem (missing element, bad
   * URI) returns false with `error` saying what to fix. */
  virtual bool build (GstBin *bin, GstElement *video_src, GstElement *audio_src,
                      std::string &error)
      = 0;
  /* Current health; called on the loop every tick. */
  virtual TransportHealth poll () = 0;
  /* Classifies an ERROR message posted inside the transport. */
  virtual TransportFailure classify (GstMessage *error) = 0;
  /* host and port to probe with a TCP connect while waiting to retry (a
   * restarted server accepts again), or nullopt when not TCP. */
  virtual std::optional<std::pair<std::string, int>> tcp_probe_address () const
  {
    return std::nullopt;
  }

  /* The owner's liveness settings (`missing-pings` over `ping-check-period`
   * milliseconds; 0 in either disables). Transports whose pings the ping
   * watch cannot judge (WHIP: receiver reports come at the server's own
   * RTCP interval) judge them themselves with these. */
  virtual void set_liveness (std::uint32_t period_ms, std::uint32_t max_missing)
  {
    (void)period_ms;
    (void)max_missing;
  }

  /* Why a connect that ran past connect-timeout did not finish, when the
   * transport can tell better than "it took too long" (RTMP: the server
   * sent far more than a connect takes: it does not speak RTMP). */
  virtual std::optional<std::string> connect_stall_reason () const
  {
    return std::nullopt;
  }

  /* The session failed (or is torn down before it published): end its
   * connection now, so that the network sink's threads stop whatever
   * they are doing (a parser busy on a server's garbage) and its teardown
   * cannot wait on them. Called on the loop before the pipeline goes to
   * NULL; a no-op for transports that need none. */
  virtual void abort_connection () {}

  /* Setting the session's pipeline to NULL may wait on the network (WHIP:
   * the DELETE, bounded by reswhipsink's delete-timeout): the owner then
   * tears it down with teardown_detached() instead of on its loop. */
  virtual bool slow_teardown () const { return false; }

  /* The destination without secrets (stream key, passphrase, token). */
  const std::string &display_uri () const { return display_uri_; }
  const std::string &uri () const { return uri_; }

  /* Bytes seen by the pad probe on the network sink's sink pad. */
  std::uint64_t probed_bytes () const { return counters_.bytes.load (); }
  std::uint64_t probed_buffers () const { return counters_.buffers.load (); }

  struct Counters
  {
    std::atomic<std::uint64_t> bytes{ 0 };
    std::atomic<std::uint64_t> buffers{ 0 };
  };

protected:
  explicit PublishTransport (std::string uri);
  /* Counts bytes entering `sink`'s sink pad. */
  void count_bytes_into (GstElement *sink);

  std::string uri_;
  std::string display_uri_;
  Counters counters_;
};

/* The transport for `uri` (rtmp://, rtmps://, srt://, whip://, whips://,
 * http(s):// WHIP endpoints), or null with
 * `error` set for an unknown scheme. */
std::unique_ptr<PublishTransport>
make_publish_transport (const std::string &uri, std::string &error);

/* Sets `pipeline` (owned, its bus handler already removed) to NULL and
 * drops it, then `transport`, on a thread of their own; returns at once. */
void teardown_detached (GstElement *pipeline,
                        std::unique_ptr<PublishTransport> transport);
/* Waits until every teardown_detached() of the process has finished (each
 * is bounded by its transport's own timeouts). Not on a streaming thread. */
void wait_detached_teardowns ();

/* Connections made by `client` are not a publish session's (a TCP
 * reachability probe to the same server): the RTMP transport leaves them
 * alone. */
void mark_not_a_publish_connection (GSocketClient *client);

/* True when make_publish_transport() knows the scheme of `uri`. */
bool publish_transport_supports (const std::string &uri);

} // namespace resilient::gst
