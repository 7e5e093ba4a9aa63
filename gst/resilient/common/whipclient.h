/* gst-resilient: one WHIP or WHEP session on a webrtcbin.
 *
 * WhipClient drives the signalling for reswhipsink and reswhepsrc; the
 * elements own the webrtcbin and its media, the client owns the protocol:
 *
 *   OPTIONS (Link ICE servers, optional) -> ICE servers applied to webrtcbin
 *   -> create-offer -> set-local-description -> [no trickle: wait for
 *   gathering, bounded] -> SDP fixups -> POST (307/308 by hand) -> answer
 *   checked -> set-remote-description -> [trickle: one PATCH with the
 *   candidates and a=end-of-candidates once gathering is done] -> connected
 *   (webrtcbin connection-state) or failed (ICE/DTLS failure, connect
 *   timeout). WHEP 406: the counter-offer is answered from a fresh webrtcbin
 *   the element builds, and the answer is PATCHed.
 *
 * Everything runs on the element's ControlLoop; webrtcbin signal and promise
 * callbacks only post there. The client never retries on its own: it
 * reports one failure, classified fatal or transient, and the element (or a
 * wrapper such as autorestoresink) decides. The token never reaches a log,
 * message or error.
 */
#pragma once

#include "common/controlloop.h"
#include "common/whiphttp.h"
#include "common/whipwatchdog.h"

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace resilient::gst {

/* Values of the elements' `status` property. */
enum class WebrtcStatus {
  Idle = 0,         /* not started */
  Signalling = 1,   /* OPTIONS / offer / POST in progress */
  Connecting = 2,   /* answer applied, ICE / DTLS in progress */
  Connected = 3,    /* DTLS connected, media can flow */
  Failed = 4,       /* a failure was reported; see the -failure message */
  Stopped = 5,      /* torn down */
};

/* The GEnum registered for the status property (shared by both elements). */
GType webrtc_status_get_type ();

struct WhipClientConfig
{
  whip::Protocol protocol = whip::Protocol::Whip;
  std::string endpoint;                  /* http(s) URL */
  std::string token;
  std::string stun_server;               /* stun://host:port */
  std::vector<std::string> turn_servers; /* turn(s)://user:pass@host:port */
  bool use_link_ice_servers = true;
  bool relay_only = false;               /* ice-transport-policy=relay */
  unsigned request_timeout_ms = 10000;
  unsigned gathering_timeout_ms = 3000;
  unsigned connect_timeout_ms = 15000;
  bool trickle = true;
  int max_redirects = 5;
  std::string stream_id;                 /* WHIP a=msid stream id */
  /* No media progress for this long once connected: transient failure
   * (stage media-timeout); 0 disables. libnice 0.1.21 has no consent
   * freshness, so a dead server is only seen this way. */
  unsigned media_timeout_ms = 10000;
  /* DELETE bound when a failed session is abandoned. */
  unsigned delete_timeout_ms = 2000;
  /* ICE servers remembered from an earlier session's 201 Links, applied
   * before gathering (webrtcbin cannot take them later). */
  std::vector<whip::IceServer> remembered_ice_servers;
};

struct WhipFailure
{
  whip::Severity severity = whip::Severity::Transient;
  int http_status = 0;
  std::string stage;         /* options, offer, post, answer, trickle,
                              * counter-offer, ice, dtls, connect-timeout */
  std::string reason;
  std::string problem_title;
  std::string problem_detail;
  std::int64_t retry_after_ms = -1;
};

/* Milliseconds since start(), -1 when not reached. */
struct WhipTimings
{
  std::int64_t offer_ms = -1;          /* local offer set */
  std::int64_t post_sent_ms = -1;
  std::int64_t answer_ms = -1;         /* HTTP answer received */
  std::int64_t http_ms = -1;           /* POST round trip incl. redirects */
  std::int64_t ice_connected_ms = -1;
  std::int64_t connected_ms = -1;      /* DTLS done (connection-state) */
};

/* The client's figures, copied under a lock of their own so property
 * getters read them from any thread without waiting for the loop. */
struct WhipSnapshot
{
  WhipTimings timings;
  int http_status = 0;
  int redirects = 0;
  std::string session_url;   /* redacted */
  int trickle_candidates = 0;
  std::uint64_t rtcp_acks = 0;
  std::string warning;
};

class WhipClient : public std::enable_shared_from_this<WhipClient>
{
public:
  struct Hooks
  {
    /* WHEP 406: make a fresh webrtcbin in the bin (the old one removed),
     * transceivers set up; return it (the bin owns it). */
    std::function<GstElement *()> fresh_webrtcbin;
    std::function<void (WebrtcStatus)> on_status;
    std::function<void ()> on_connected;
    std::function<void (const WhipFailure &)> on_failure;
    std::function<void (const std::string &)> on_warning;
    /* A counter that grows while media flows (WHEP: buffers out of the
     * element). Unset: progress is the highest sequence number the server
     * acknowledges in its RTCP receiver reports (WHIP), from get-stats. */
    std::function<std::uint64_t ()> media_progress;
    /* The local offer is set (loop thread, before the POST): the mids are
     * known; a WHIP publisher gives them to its MID header extensions. */
    std::function<void (const std::string &sdp)> on_local_offer;
  };

  WhipClient (ControlLoop &loop, GstObject *log_object,
      WhipClientConfig config, Hooks hooks);
  ~WhipClient ();

  /* webrtcbin ICE settings a fresh webrtcbin needs before its offer or
   * answer: loopback address when the endpoint is on loopback, no ICE-TCP,
   * STUN/TURN from the configuration and the Link headers. */
  void configure_webrtcbin (GstElement *webrtcbin);

  /* Loop thread. `webrtcbin` has its transceivers. */
  void start (GstElement *webrtcbin);
  /* Not on the loop thread: DELETEs the session (bounded by
   * `delete_timeout_ms`), then frees the HTTP session. */
  void stop (unsigned delete_timeout_ms);

  /* Any thread. */
  WhipSnapshot snapshot () const;

  /* Loop thread (or after stop). */
  WebrtcStatus status () const { return status_; }
  const WhipTimings &timings () const { return timings_; }
  int http_status () const { return http_status_; }
  int redirects () const { return redirects_; }
  std::string session_url () const;   /* redacted */
  const std::string &warning () const { return warning_; }
  int trickle_candidates () const { return trickle_sent_; }
  /* WHIP: RTCP receiver reports in which the server acknowledged new RTP
   * (counted by the media watchdog). */
  std::uint64_t rtcp_acks () const { return watchdog_.rtcp_acks (); }
  /* rel="ice-server" Links of the 201, for the next session. */
  const std::vector<whip::IceServer> &answer_ice_servers () const
  {
    return answer_servers_;
  }
  /* Kinds ("audio", "video") of the m-lines the answer made usable. */
  const std::vector<std::string> &active_media () const { return active_; }

  struct Callbacks;

private:
  friend struct Callbacks;
  std::int64_t since_start () const;
  void set_status (WebrtcStatus s);
  void publish_snapshot ();
  void fail (WhipFailure f);
  void fail (const whip::Verdict &v, const std::string &stage);
  void warn (const std::string &w);
  void connect_signals (GstElement *webrtcbin);
  void disconnect_signals ();
  void create_offer ();
  void on_offer_created (GstWebRTCSessionDescription *offer);
  void on_local_offer_set ();
  void maybe_post ();
  void post ();
  void on_post_result (WhipSignalling::PostResult r);
  void apply_answer (const std::string &sdp);
  void maybe_trickle ();
  void on_counter_offer (const std::string &offer);
  void on_local_answer_set ();
  void fail_counter_expired ();
  void maybe_patch_answer ();
  void on_gathering_state ();
  void on_connection_state ();
  void on_ice_connection_state ();
  /* Runs `fn` on the loop `delay_ms` from now (element clock) unless the
   * client is gone or stopped by then. */
  ControlLoop::TimerId schedule_ms (guint64 delay_ms,
      std::function<void (WhipClient &)> fn);
  /* After the answer: a transient "connect-timeout" failure when still
   * connecting after connect-timeout; `http_status` as reported, or the
   * last one seen when unset. */
  void arm_connect_timer (std::optional<int> http_status);
  void arm_watchdog ();
  void arm_watchdog_next ();
  void watchdog_tick ();
  /* `sent`: RTP packets sent so far (WHIP), -1 when not known (WHEP). */
  void on_progress (std::uint64_t progress, bool valid,
      std::int64_t sent = -1);
  std::string local_sdp () const;

  ControlLoop &loop_;
  GstObject *log_;
  WhipClientConfig config_;
  Hooks hooks_;
  HttpClient http_;
  WhipSignalling signalling_;
  WhipMediaWatchdog watchdog_;
  GstElement *webrtc_ = nullptr;        /* ref held */
  std::vector<gulong> handlers_;
  WebrtcStatus status_ = WebrtcStatus::Idle;
  bool stopped_ = false;
  std::int64_t started_us_ = 0;
  WhipTimings timings_;
  std::vector<whip::IceServer> link_servers_;
  bool ice_discovered_ = false;
  bool local_set_ = false;
  bool gathering_done_ = false;
  bool gathering_timed_out_ = false;
  bool posted_ = false;
  bool answered_ = false;
  bool trickle_stopped_ = false;
  bool end_sent_ = false;
  bool patch_in_flight_ = false;
  int patches_sent_ = 0;
  bool counter_mode_ = false;
  bool answer_patched_ = false;
  std::string offer_sent_;
  std::vector<std::string> candidates_;
  int trickle_sent_ = 0;
  int http_status_ = 0;
  int redirects_ = 0;
  std::string warning_;
  std::vector<std::string> active_;
  std::vector<whip::IceServer> answer_servers_;
  ControlLoop::TimerId watchdog_timer_ = 0;
  ControlLoop::TimerId gathering_timer_ = 0;
  ControlLoop::TimerId connect_timer_ = 0;
  /* WHEP 406: the counter-offer's validity and when it ends
   * (g_get_monotonic_time). */
  ControlLoop::TimerId counter_timer_ = 0;
  std::int64_t counter_valid_ms_ = -1;
  std::int64_t counter_deadline_us_ = 0;
  std::shared_ptr<std::weak_ptr<WhipClient>> self_;
  mutable std::mutex snap_lock_;
  WhipSnapshot snap_;
};

}  // namespace resilient::gst
