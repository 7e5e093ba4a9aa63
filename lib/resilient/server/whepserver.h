/* gst-resilient server side: what a WHEP (or WHIP, RFC 9725) endpoint
 * answers, decided on the request alone. route(), problem_json() and
 * session_id_of() serve both reswhepserversink and reswhipserversrc.
 *
 * Plain C++ with time passed in, used by reswhepserversink's GObject shell:
 * - route(): the method, path, token, media type and body size of one
 *   request -> the action to take or the refusal to send (status, problem
 *   title and detail, Allow, Retry-After), before the body is read;
 * - choose_formats(): which payload types of a viewer's offer carry the
 *   stream we send (one encode, so one codec);
 * - ViewerWatch: when a viewer is dead (never connected, ICE failed or
 *   closed, no RTCP for too long);
 * - KeyframeGate: force-key-unit requests rate-limited and coalesced;
 * - problem_json() (tokens are compared with resilient::constant_time_equal).
 */
#pragma once

#include "resilient/core/time.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace resilient::server {

/* An application/problem+json body (RFC 9457) with type about:blank. */
std::string problem_json (int status, std::string_view title,
                          std::string_view detail);

enum class Action {
  Refuse,        /* send `status` with the problem */
  Options,       /* 204 with CORS and Accept-Post */
  CreateSession, /* POST of an offer on the endpoint (a WHEP viewer or a
                    WHIP publisher) */
  Trickle,       /* PATCH of a session with an sdpfrag */
  Delete,        /* DELETE of a session */
};

struct RequestHead
{
  std::string method;
  std::string path;
  std::string content_type;  /* the header as sent, empty when absent */
  std::string authorization; /* the header as sent, empty when absent */
  std::string if_match;
  /* Content-Length when sent; nullopt for chunked or absent */
  std::optional<std::size_t> content_length;
};

struct Limits
{
  std::string path;              /* the endpoint, e.g. "/whep" */
  std::string protocol = "WHEP"; /* names the endpoint in 404 details */
  std::string token;             /* required bearer token; empty: none */
  std::size_t max_body = 65536;  /* an offer or sdpfrag larger is refused */
  unsigned max_viewers = 0;      /* 0: no limit */
  Duration retry_after = ms (5000);
};

struct Route
{
  Action action = Action::Refuse;
  int status = 0;
  std::string title;
  std::string detail;
  std::string allow; /* 405: the Allow header */
  std::optional<int> retry_after_s;
  std::string session; /* Trickle/Delete: the session id */
};

/* Decides one request from its head. Sessions live under
 * `<path>/<id>`; `session_exists` tells whether an id is known and
 * `viewers` is the current count. Order of checks: path (404), method on
 * that path (405), token (401, after OPTIONS which browsers send without
 * one), body size (413), media type (415), then viewer limit (503). */
Route route (const Limits &limits, const RequestHead &head, bool session_exists,
             unsigned viewers);

/* The session id of a session path under `endpoint`, empty otherwise. */
std::string session_id_of (const std::string &endpoint,
                           const std::string &path);

enum class VideoCodec { H264, VP8 };

struct Formats
{
  int video_pt = -1; /* -1: the offer has no video we can send */
  int audio_pt = -1; /* -1: no Opus */
  std::string video_mid;
  std::string audio_mid;
  /* H264: the profile-level-id the chosen format names (lower-case), empty
   * when none; the sender states it in its caps so that webrtcbin's answer
   * matches the offer (a level of its own would not intersect). */
  std::string video_profile_level_id;
};

/* Which payload types of a WHEP offer take our stream: the first H264 with
 * packetization-mode=1 and Constrained Baseline (42e0xx, what a
 * zero-latency x264 sends), else the first with a Baseline-family profile
 * (42xxxx), or the first VP8; the first Opus at 48 kHz.
 * Only m-sections that accept media (recvonly or sendrecv, port != 0)
 * count. `error` names what is wrong when the offer is not usable: not SDP
 * (status 400) or nothing we send (422). */
std::optional<Formats> choose_formats (const std::string &offer,
                                       VideoCodec video, bool want_audio,
                                       int &status, std::string &error);

/* When a viewer is dead. It must connect within `connect_timeout` of its
 * creation and then keep sending RTCP (libnice 0.1.21 has no ICE consent
 * freshness, so the viewer's RTCP is its sign of life). The silence allowed
 * is the larger of `rtcp_timeout` and 3 x the longest gap seen
 * between two RTCP packets (a viewer's report interval is its own:
 * browsers report about every second, a plain RFC 3550 stack every 2.5 to
 * 7.5 s; feedback bursts never shorten it), and at least 7.5 s (1.5 x
 * RFC 3550's 5 s minimum) until three gaps over at least 10 s are known
 * (an RFC 3550 stack's first reports come early, at half its interval). ICE or
 * DTLS failed or closed is dead at once. A timeout of 0 disables that check. */
class ViewerWatch
{
public:
  ViewerWatch (TimePoint created, Duration connect_timeout,
               Duration rtcp_timeout);

  void on_connected (TimePoint now);
  void on_rtcp (TimePoint now);
  void on_failed (std::string why);

  /* Why the viewer is dead at `now`, nullopt while alive. */
  std::optional<std::string> dead (TimePoint now) const;
  bool connected () const { return connected_; }
  /* Time since the last sign of life (RTCP, else connection, else
   * creation). */
  Duration silence (TimePoint now) const;
  /* The silence allowed now (see above). */
  Duration allowance () const;

private:
  TimePoint created_;
  Duration connect_timeout_;
  Duration rtcp_timeout_;
  bool connected_ = false;
  TimePoint last_life_;
  std::optional<std::string> failed_;
  std::optional<TimePoint> first_rtcp_;
  std::optional<TimePoint> last_rtcp_;
  Duration longest_{ 0 };
  int gaps_ = 0;
};

/* Force-key-unit requests (a new viewer, a viewer's PLI/FIR) go upstream
 * at most once per `min_interval`; requests inside the interval are
 * coalesced into one sent when it ends. */
class KeyframeGate
{
public:
  explicit KeyframeGate (Duration min_interval);

  /* A request at `now`: returns when to send it (now, or the end of the
   * interval); nullopt when a send is already due then (coalesced). */
  std::optional<TimePoint> request (TimePoint now);
  /* The element sent the request due at `now`. */
  void sent (TimePoint now);
  std::uint64_t coalesced () const { return coalesced_; }

private:
  Duration min_interval_;
  std::optional<TimePoint> last_sent_;
  std::optional<TimePoint> pending_;
  std::uint64_t coalesced_ = 0;
};

} // namespace resilient::server
