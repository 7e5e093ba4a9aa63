/* gst-resilient server side: a WHEP viewer's direct send path.
 *
 * A viewer's webrtcbin does ICE, DTLS and the first packets (the joining
 * keyframe its appsrc held until DTLS was up). Once its connection is up
 * and its appsrc of a kind has drained, the fan-out sends that kind's
 * packets itself: one SRTP protect (srv::SrtpSender, with the keys DTLS
 * gave webrtcbin's srtpenc) and one nice_agent_send on the viewer's ICE
 * socket per packet, on the fan-out's own streaming thread. That skips the
 * ~15 pads of webrtcbin's send path and the appsrc's thread wake per
 * packet, which were a viewer's whole cost (docs/BENCHMARKS.md).
 *
 * Everything else stays webrtcbin's: ICE checks and consent, DTLS, the
 * RTCP it receives (PLI/FIR become force-key-unit on the appsrc as
 * before; the viewer's liveness). Its RTCP sender reports are rewritten
 * on their way out with this path's counts (rewrite_report) so a viewer's
 * lip sync and statistics stay right after webrtcbin stops seeing media.
 *
 * The SRTP index of each SSRC continues the stream srtpenc began: a probe
 * on webrtcbin's ICE sink reads the sequence number of every RTP packet
 * webrtcbin sends (before and, for a packet in flight, after the switch).
 *
 * Threads: created and prepared on the element's loop; send() on the
 * fan-out's streaming thread of the kind (one per kind); the probes on
 * webrtcbin's streaming threads. `lock_` guards the per-SSRC streams; it
 * is a leaf (no call out while held: the ICE send is after unlocking).
 */
#pragma once

#include "resilient/server/srtp.h"

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace resilient::gst::server {

class DirectSend : public std::enable_shared_from_this<DirectSend>
{
public:
  enum Phase : int {
    WAITING = 0, /* no keys yet, or the path cannot be taken */
    READY = 1,   /* keys and ICE socket known; the appsrc still drains */
    ACTIVE = 2,  /* the fan-out sends this kind itself */
  };

  /* Loop thread, once webrtcbin has its transport (the offer applied):
   * finds its one srtpenc and ICE sink and starts reading what webrtcbin
   * sends (the probes hold a weak reference: the last owner may be a
   * fan-out list, a probe never outlives-uses it). `usable()` is false (and
   * `why()` says why) when there is not exactly one of each (an unbundled
   * offer): the viewer stays on webrtcbin's path. */
  static std::shared_ptr<DirectSend> attach (GstElement *webrtc);
  ~DirectSend ();
  DirectSend (const DirectSend &) = delete;
  DirectSend &operator= (const DirectSend &) = delete;

  bool usable () const { return srtpenc_ && nicesink_ && why_.empty (); }
  const std::string &why () const { return why_; }

  /* Loop thread, once connected: takes the SRTP keys and the ICE socket.
   * False while DTLS has not given srtpenc its key yet (call again), or
   * for good with why() set (a cipher this path does not implement). */
  bool prepare ();

  Phase phase (bool video) const
  {
    return Phase (phase_[video ? 0 : 1].load (std::memory_order_acquire));
  }
  /* Streaming thread of a kind, READY, its appsrc drained: that kind
   * goes here from `next` on (true), once webrtcbin has sent a packet of
   * `next`'s SSRC. Its RTP session then knows the stream and keeps a
   * report on it in every compound, which rewrite_report() makes this
   * path's sender report; a stream webrtcbin never sent would get none.
   * False: `next` still goes through webrtcbin. */
  bool activate (bool video, GstBuffer *next);
  /* Streaming thread of a kind, ACTIVE: protect and send one packet (not
   * taken). A packet that is not RTP, or that the socket refuses, is
   * counted as dropped. */
  void send (bool video, GstBuffer *packet);

  /* Packets sent on this path, and dropped on it (statistics). */
  std::uint64_t sent () const { return sent_.load (); }
  std::uint64_t dropped () const { return dropped_.load (); }

  struct Stream; /* one SSRC's SRTP index and sender-report counts */

private:
  explicit DirectSend (GstElement *webrtc);
  void add_probes ();
  static GstPadProbeReturn on_ice_sink (GstPad *, GstPadProbeInfo *info,
                                        gpointer data);
  static GstPadProbeReturn on_rtcp_out (GstPad *, GstPadProbeInfo *info,
                                        gpointer data);
  void observe (const std::uint8_t *data, std::size_t len);
  GstBuffer *rewrite_report (GstBuffer *rtcp);

  GstElement *srtpenc_ = nullptr;  /* refs */
  GstElement *nicesink_ = nullptr;
  GstPad *ice_pad_ = nullptr;
  gulong ice_probe_ = 0;
  GstPad *rtcp_pad_ = nullptr;
  gulong rtcp_probe_ = 0;
  GstElement *webrtc_ = nullptr; /* not a ref: the viewer's, outlives us */
  std::string why_;

  /* set by prepare() on the loop, read by the streaming threads after
   * they see phase_ READY (release / acquire) */
  GObject *agent_ = nullptr; /* a ref */
  guint stream_id_ = 0;
  guint component_id_ = 0;
  std::unique_ptr<resilient::server::SrtpSender> sender_[2];
  /* its authentication tag length; read by the RTCP probe */
  std::atomic<std::size_t> tag_{ 0 };

  std::atomic<int> phase_[2] = { WAITING, WAITING };
  std::atomic<std::uint64_t> sent_{ 0 };
  std::atomic<std::uint64_t> dropped_{ 0 };

  std::mutex lock_;
  std::map<std::uint32_t, std::unique_ptr<Stream>> streams_;
};

} // namespace resilient::gst::server
