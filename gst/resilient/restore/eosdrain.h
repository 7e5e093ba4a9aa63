/* gst-resilient: autorestoresink's EOS drain (eosdrain.cpp).
 *
 * EOS on every linked input stops the element without restore: sessions
 * that are up finish their streams (the muxer's trailer, rtmp2sink's stop
 * commands), the others go at once, and the element posts its own EOS
 * when every session and the recording drained, or when
 * eos-drain-timeout-ms ran out. Owns whether a drain runs, whether the
 * EOS was posted, and the drain's timeout. Loop only.
 */
#pragma once

#include "restore/sinkpart.h"
#include "common/controlloop.h"

namespace resilient::gst::autorestore {

class EosDrain : public SinkPart
{
public:
  using SinkPart::SinkPart;

  /* EOS on one input (from its appsink, posted to the loop). */
  void on_front_eos (bool video);
  /* Posts the element's EOS once nothing is left to drain. */
  void finish_if_done ();
  bool draining () const { return draining_; }
  /* A new run (READY->PAUSED). */
  void reset ();
  /* PAUSED->READY: the timeout cancelled. */
  void stop ();

private:
  void on_timeout ();

  bool draining_ = false;
  bool posted_ = false;
  ControlLoop::TimerId timer_ = 0;
};

} // namespace resilient::gst::autorestore
