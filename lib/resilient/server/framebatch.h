/* gst-resilient server side: when reswhepserversink hands a frame's RTP
 * packets to its viewers.
 *
 * An encoded video frame leaves the payloader as several packets in one
 * burst (9 on average at 1280x720 and 2000 kbit/s). Handed over one by one,
 * each packet costs every viewer a push into its queue, a wake-up of its
 * streaming thread and a pass through webrtcbin's RTP session, SRTP and
 * ICE sink. Handed over as one list per frame, those costs are paid once
 * per frame, and srtpenc and nicesink take the list whole.
 *
 * The packets of a frame share an RTP timestamp and the last one carries
 * the marker bit (RFC 6184 5.1, RFC 7741 4.1). FrameBatch decides, packet
 * by packet, when the gathered packets go out: after a packet with the
 * marker, before a packet of another timestamp (a payloader that never
 * sets the marker still gets one list per frame, one frame late at most),
 * and when a list reaches its bound. It holds no packets, only the
 * decision; the caller keeps the list. Plain C++, one streaming thread.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace resilient::server {

class FrameBatch
{
public:
  /* Packets one list holds at most: a 1280x720 keyframe at 2000 kbit/s is
   * ~60 packets of 1200 bytes; beyond this a frame goes out in parts. */
  static constexpr std::size_t MAX_PACKETS = 256;

  struct Step
  {
    bool flush_before = false; /* send what is gathered, then add */
    bool flush_after = false;  /* add, then send what is gathered */
  };

  /* The next packet: its RTP marker bit and timestamp. */
  Step add (bool marker, std::uint32_t rtptime)
  {
    Step s;
    if (count_ > 0 && (rtptime != rtptime_ || count_ >= MAX_PACKETS)) {
      s.flush_before = true;
      count_ = 0;
    }
    rtptime_ = rtptime;
    count_++;
    if (marker) {
      s.flush_after = true;
      count_ = 0;
    }
    return s;
  }

  /* What is gathered was sent or dropped (a caps change, a stop). */
  void reset () { count_ = 0; }
  std::size_t pending () const { return count_; }

private:
  std::size_t count_ = 0;
  std::uint32_t rtptime_ = 0;
};

} // namespace resilient::server
