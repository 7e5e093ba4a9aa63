/* gst-resilient: failoversrc's property table: ids, installation with
 * their blurbs, and the settings they read and write. The element
 * (gstfailoversrc.cpp) routes GObject's set/get_property here; the
 * properties that are not settings (active-candidate, status,
 * statistics) it answers itself. */
#pragma once

#include "failover/private.h"

#include <glib-object.h>

GType gst_failover_src_standby_get_type (void);
GType gst_failover_src_mode_get_type (void);
GType gst_failover_src_all_failed_get_type (void);
GType gst_failover_src_status_get_type (void);

namespace resilient::gst::failoversrc {

enum FailoverSrcProp {
  PROP_0,
  PROP_URIS,
  PROP_URI_LIST,
  PROP_VIDEO_CAPS,
  PROP_AUDIO_CAPS,
  PROP_STANDBY,
  PROP_TIMEOUT,
  PROP_STALL_TOLERANCE,
  PROP_ADAPTIVE_TIMEOUT,
  PROP_STARTUP_TIMEOUT,
  PROP_CONNECT_TIMEOUT,
  PROP_MIN_BITRATE,
  PROP_BLACK_TIMEOUT,
  PROP_FROZEN_TIMEOUT,
  PROP_SILENCE_TIMEOUT,
  PROP_BITRATE_WINDOW,
  PROP_LOW_BITRATE_WINDOWS,
  PROP_RETRY_DELAY,
  PROP_RETRY_MAX_DELAY,
  PROP_RETRY_MAX_ATTEMPTS,
  PROP_FAILBACK_HOLDOFF,
  PROP_AUTO_FAILBACK,
  PROP_HOLD_LAST_FRAME,
  PROP_FALLBACK_IMAGE,
  PROP_LATENCY,
  PROP_ALL_FAILED,
  PROP_ENABLE_VIDEO,
  PROP_ENABLE_AUDIO,
  PROP_MODE,
  PROP_ACTIVE_CANDIDATE,
  PROP_STATUS,
  PROP_STATISTICS,
};

/* Installs every property of the class. */
void install_properties (GObjectClass *gobject_class);

/* settings_lock held. False for a property that is not a setting. */
bool set_setting_locked (Settings &s, guint prop_id, const GValue *value);
bool get_setting_locked (const Settings &s, guint prop_id, GValue *value);

/* Whether a change in PLAYING is applied at once (thresholds) rather than
 * at the next start. */
bool applies_at_once (guint prop_id);

} // namespace resilient::gst::failoversrc
