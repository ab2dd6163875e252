/*
 * kafkit/kafkit.h: the whole public API of libkafkit.
 *
 *   #include <kafkit/kafkit.h>     cc app.c $(pkg-config --cflags --libs kafkit)
 *
 * Every public name starts with kafkit_ / KAFKIT_. Objects are opaque, made
 * by `_new` and freed by `_destroy` (or `_close`). A `_new` that takes a conf
 * takes it only when it succeeds.
 *
 * Not included here: kafkit/serdes_value.h (the serdes with avro-c's
 * avro_value_t), which needs avro-c's <avro.h>; include it yourself.
 */
#ifndef KAFKIT_KAFKIT_H
#define KAFKIT_KAFKIT_H

#include "common.h"
#include "conf.h"
#include "producer.h"
#include "consumer.h"
#include "metadata.h"
#include "dev.h"
#include "avro.h"
#include "registry.h"
#include "registry_server.h"
#include "serdes.h"

#endif /* KAFKIT_KAFKIT_H */
