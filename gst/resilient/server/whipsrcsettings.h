/* gst-resilient: reswhipserversrc's settings: property ids, defaults
 * (justified in docs/elements/reswhipserversrc.md), the properties'
 * installation and their get/set. */
#pragma once

#include "restore/recording.h"
#include "server/endpoint.h"

#include <gst/gst.h>

#include <string>

namespace resilient::gst::server::whipsrc {

/* Defaults, justified in docs/elements/reswhipserversrc.md. */
#define DEFAULT_PORT 8890
#define DEFAULT_PATH "/whip"
#define DEFAULT_TAKEOVER GST_RES_WHIP_SERVER_TAKEOVER_REPLACE
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_SILENCE_TIMEOUT_MS 3000
#define DEFAULT_HOLD_MS 1000
#define DEFAULT_WIDTH 1280
#define DEFAULT_HEIGHT 720
#define DEFAULT_FRAMERATE 30
/* Not properties: the largest offer or sdpfrag, how long an answer waits
 * for ICE gathering, how often our RTCP goes out, media older than this
 * is a gap (the output starts holding). */
#define MAX_BODY 65536
#define GATHER_TIMEOUT_MS 2000
#define RTCP_INTERVAL_MS 500
#define GAP_MS 250
#define TICK_MS 50
#define STREAM_KEY_ENV "RESILIENT_STREAM_KEY"

typedef enum {
  GST_RES_WHIP_SERVER_TAKEOVER_REPLACE,
  GST_RES_WHIP_SERVER_TAKEOVER_REFUSE,
} GstResWhipServerTakeover;

GType takeover_get_type (void);

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_BOUND_PORT,
  PROP_PATH,
  PROP_CERTIFICATE_FILE,
  PROP_KEY_FILE,
  PROP_STREAM_KEY,
  PROP_TAKEOVER,
  PROP_CONNECT_TIMEOUT,
  PROP_SILENCE_TIMEOUT,
  PROP_HOLD,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_FRAMERATE,
  PROP_RECORDING_LOCATION,
  PROP_RECORDING_MAX_SIZE_BYTES,
  PROP_RECORDING_MAX_DURATION,
  PROP_STATISTICS,
};

struct Settings
{
  /* address, port, path, certificate and key files */
  EndpointConfig ep = endpoint_defaults ("WHIP", DEFAULT_PORT, DEFAULT_PATH);
  std::string stream_key;
  GstResWhipServerTakeover takeover = DEFAULT_TAKEOVER;
  guint connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  guint silence_timeout_ms = DEFAULT_SILENCE_TIMEOUT_MS;
  guint hold_ms = DEFAULT_HOLD_MS;
  int width = DEFAULT_WIDTH;
  int height = DEFAULT_HEIGHT;
  int framerate = DEFAULT_FRAMERATE;
  RecordingConfig recording; /* location empty: no recording */
};

void install_properties (GObjectClass *gobject_class);
/* Settings <-> properties (false: not a settings property). */
bool set_property (Settings &s, guint prop_id, const GValue *value);
bool get_property (const Settings &s, guint prop_id, int bound_port,
                   GValue *value);

} // namespace resilient::gst::server::whipsrc
