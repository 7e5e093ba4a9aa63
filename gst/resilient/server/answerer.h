/* gst-resilient server side: one webrtcbin from a peer's offer to our
 * answer (set-remote-description, create-answer, set-local-description,
 * ICE gathering), shared by reswhepserversink (viewers) and
 * reswhipserversrc (publishers).
 *
 * Every step after a webrtcbin promise runs on the owner's ControlLoop
 * (webrtcbin work is kept off its own threads). The webrtcbin is held
 * weakly: an owner that tears the session down mid-way just never hears
 * back (`done` is not called once the webrtcbin is gone).
 */
#pragma once

#include "common/controlloop.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>

#include <functional>
#include <string>

namespace resilient::gst::server {

struct AnswerResult
{
  int status = 0;     /* 0: answered; else the HTTP status to refuse with */
  std::string answer; /* the local SDP, with the candidates gathered */
  std::string error;  /* why not, when status != 0 */
};

/* Loop thread. `offer` is taken. `prepare` runs after the offer is applied
 * and before the answer is made (attach sources to transceivers, connect
 * to the session); false refuses with 422. `done` runs once with the
 * answer as soon as gathering completes or after `gather_timeout_ms` with
 * the candidates gathered so far. */
void answer_offer (ControlLoop &loop, GstElement *webrtc, GstSDPMessage *offer,
                   unsigned gather_timeout_ms, std::function<bool ()> prepare,
                   std::function<void (const AnswerResult &)> done);

} // namespace resilient::gst::server
