/* gst-resilient: failoversrc's switches, on the control thread.
 *
 * A switch decided by the FailoverPolicy (controller.cpp's run_actions) is
 * carried out here: its statistics, the pending failoversrc-switch report
 * (posted when the first buffer of the new source reaches the output), the
 * warm runs' sleep and wake (warmstandby.h) and the new source's newest
 * frame put out at once (hot standby).
 */
#pragma once

#include "failover/private.h"

namespace resilient::gst::failoversrc {

/* Loop thread: Action Switch: the output follows the run of `a.to` (or
 * filler) from now on. */
void apply_switch (GstFailoverSrc *self, const resilient::failover::Action &a);

} // namespace resilient::gst::failoversrc
