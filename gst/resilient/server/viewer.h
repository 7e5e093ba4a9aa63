/* gst-resilient server side: one WHEP viewer of reswhepserversink.
 *
 * Its own small pipeline on the element's clock and base time: webrtcbin
 * alone until the offer is applied, then one appsrc per kind the viewer
 * takes, linked to the transceiver of the offer's m-line (sendonly, our
 * codec); the fan-out pushes the one encode's packets into those appsrcs.
 * Once connected, the fan-out sends to it directly (server/directsend.h)
 * when the element's direct-send is on.
 * The viewer keeps its POST paused until the answer, counts the RTCP it
 * sends (its liveness, judged by srv::ViewerWatch) and reports its
 * connection state, its pipeline's errors and its PLI/FIR (an upstream
 * force-key-unit on its video appsrc) through `Hooks`.
 *
 * Threads: everything but the signal/probe/bus callbacks runs on the
 * element's ControlLoop; those callbacks only post to it (Hooks::post)
 * and look the viewer up again there by id (it may be gone).
 */
#pragma once

#include "server/fanout.h"

#include "resilient/core/time.h"
#include "resilient/server/whepserver.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <libsoup/soup.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace resilient::gst::server {

class Viewer
{
public:
  /* The element's side, held by the viewer's callbacks (and so alive as
   * long as the viewer's pipeline is). */
  struct Hooks
  {
    GstObject *owner; /* for logging; not a ref */
    /* any thread: run `task` on the element's loop */
    std::function<void (std::function<void ()> task)> post;
    /* loop thread */
    std::function<Viewer *(const std::string &id)> find;
    std::function<void ()> keyframe;
    std::function<void (const std::string &id, const std::string &why)> failed;
  };
  struct Limits
  {
    resilient::Duration connect;
    resilient::Duration rtcp;
  };

  Viewer (std::string id, std::string remote,
          const resilient::server::Formats &f, resilient::TimePoint now,
          Limits limits, std::shared_ptr<const Hooks> hooks);
  /* Loop thread: a pending POST gets 500, the pipeline goes to NULL. */
  ~Viewer ();
  Viewer (const Viewer &) = delete;
  Viewer &operator= (const Viewer &) = delete;

  /* The offer's m-line of each kind taken (by its a=mid); false when one
   * has no a=mid. */
  bool find_mlines (GstSDPMessage *offer, const resilient::server::Formats &f);
  /* The pipeline (webrtcbin alone), PLAYING on `clock` (may be nullptr)
   * and `base_time`. */
  bool start (GstClock *clock, GstClockTime base_time, bool loopback);
  /* Once the offer is applied: the appsrcs, linked to their transceivers;
   * with `direct`, the direct send path too (server/directsend.h). */
  bool attach_sources (FanOut &fanout, bool vp8, bool direct);

  /* The POST waiting for the answer (a ref is taken; the message paused). */
  void hold (SoupServerMessage *msg);
  SoupServerMessage *take_pending ()
  {
    return std::exchange (pending_, nullptr);
  }
  bool pending () const { return pending_ != nullptr; }
  void answered () { state_ = "answered"; }

  /* Reaper pass: the RTCP counted since, and why the viewer is dead. */
  std::optional<std::string> check (resilient::TimePoint now);
  /* The viewer-list entry (statistics). */
  GstStructure *describe (resilient::TimePoint now) const;

  const std::string &id () const { return id_; }
  const std::string &remote () const { return remote_; }
  const std::string &etag () const { return etag_; }
  GstElement *webrtc () const { return webrtc_; }
  resilient::TimePoint created () const { return created_; }
  bool has_video () const { return vsrc_ != nullptr; }
  /* Its appsrcs for the fan-out (none before attach_sources). */
  void add_outs (std::vector<FanOut::Out> &video,
                 std::vector<FanOut::Out> &audio) const;

  /* what its webrtcbin, bus and appsrc callbacks hold */
  struct Ctx;

private:
  static void on_state_notify (GObject *webrtc, GParamSpec *, gpointer data);
  static GstPadProbeReturn on_upstream_event (GstPad *, GstPadProbeInfo *info,
                                              gpointer data);
  static GstBusSyncReply on_bus (GstBus *, GstMessage *m, gpointer data);
  /* loop thread: webrtcbin's states; true when a keyframe is wanted */
  bool on_state (GstWebRTCPeerConnectionState pc,
                 GstWebRTCICEConnectionState ice, resilient::TimePoint now);
  GstElement *make_appsrc (FanOut &fanout, bool video);
  bool link_to_webrtc (GstElement *src, int mline, const std::string &kind,
                       const char *encoding, int clock_rate, int pt,
                       guint ssrc);
  void watch_rtcp ();
  void prepare_direct ();
  const char *send_path () const;

  std::string id_;
  std::string remote_;
  std::string etag_;
  std::shared_ptr<const Hooks> hooks_;
  GstElement *pipeline_ = nullptr;
  GstElement *webrtc_ = nullptr; /* owned by pipeline_ */
  GstElement *vsrc_ = nullptr;   /* owned by pipeline_ */
  GstElement *asrc_ = nullptr;
  int video_pt_ = -1;
  int audio_pt_ = -1;
  std::string video_plid_; /* H264 profile-level-id of the chosen format */
  int video_mline_ = -1;   /* m-line index of the offer's video / audio */
  int audio_mline_ = -1;
  SoupServerMessage *pending_ = nullptr; /* POST paused until the answer */
  resilient::server::ViewerWatch watch_;
  resilient::TimePoint created_;
  std::shared_ptr<std::atomic<std::uint64_t>> rtcp_
      = std::make_shared<std::atomic<std::uint64_t>> (0);
  std::uint64_t rtcp_seen_ = 0;
  GObject *session_ = nullptr; /* webrtcbin's RTPSession 0, a ref */
  gulong rtcp_handler_ = 0;
  std::string state_ = "new";
  /* its direct send path, null when off or not usable */
  std::shared_ptr<DirectSend> direct_;
  /* FanOut::JoinQueue of its video queue */
  std::shared_ptr<std::atomic<int>> join_queue_
      = std::make_shared<std::atomic<int>> (FanOut::JOIN_WATCHING);
};

} // namespace resilient::gst::server
