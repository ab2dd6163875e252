#!/usr/bin/python3
"""serdes_confluent.py: cross-checks kafkit's Avro serdes with Confluent's
Python client (confluent_kafka).

Usage: serdes_confluent.py REGISTRY_URL TOPIC SCHEMA JSON KAFKIT_HEX
Serializes JSON (a value of SCHEMA) for TOPIC the way Confluent's Python
client does against the registry, prints the framed bytes in hex on one
line, and checks that Confluent's side reads KAFKIT_HEX (kafkit's framing
of the same value) back as the same value.

With fastavro installed this is confluent_kafka's own AvroSerializer and
AvroDeserializer. Without it (Debian's confluent_kafka 1.7.0 needs
fastavro, which Debian does not package) the same steps are made from
confluent_kafka's SchemaRegistryClient (registration, lookup by id), its
_MAGIC_BYTE and AvroSerializer's framing ('>bI'), and the Apache Avro
library (python3-avro) for the body. Exits 77 when even those are
missing, 1 on a mismatch.
"""
import io
import json
import struct
import sys

try:
    from confluent_kafka.schema_registry import _MAGIC_BYTE, Schema, SchemaRegistryClient
    from confluent_kafka.serialization import MessageField, SerializationContext
except ImportError as e:
    print("python modules missing: %s" % e)
    sys.exit(77)


def with_fastavro(client, topic, schema, value, kafkit):
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer

    ctx = SerializationContext(topic, MessageField.VALUE)
    ser = AvroSerializer(client, schema, conf={"auto.register.schemas": True})
    framed = ser(value, ctx)
    back = AvroDeserializer(client, schema_str=schema)(kafkit, ctx)
    return framed, back


def with_apache_avro(client, topic, schema, value, kafkit):
    import avro.io
    import avro.schema

    # AvroSerializer 1.7.0: TopicNameStrategy, register_schema, then
    # pack('>bI', _MAGIC_BYTE, schema_id) + the Avro body.
    schema_id = client.register_schema(topic + "-value", Schema(schema, "AVRO"))
    out = io.BytesIO()
    out.write(struct.pack(">bI", _MAGIC_BYTE, schema_id))
    avro.io.DatumWriter(avro.schema.parse(schema)).write(value, avro.io.BinaryEncoder(out))
    # AvroDeserializer 1.7.0: unpack('>bI'), get_schema(id), read the body.
    magic, writer_id = struct.unpack(">bI", kafkit[:5])
    if magic != _MAGIC_BYTE:
        raise ValueError("bad magic byte %d" % magic)
    writer = avro.schema.parse(client.get_schema(writer_id).schema_str)
    back = avro.io.DatumReader(writer).read(avro.io.BinaryDecoder(io.BytesIO(kafkit[5:])))
    return out.getvalue(), back


def main():
    url, topic, schema, value, kafkit_hex = sys.argv[1:6]
    client = SchemaRegistryClient({"url": url})
    value = json.loads(value)
    kafkit = bytes.fromhex(kafkit_hex)
    try:
        import fastavro  # noqa: F401

        run = with_fastavro
    except ImportError:
        try:
            import avro.io  # noqa: F401
        except ImportError as e:
            print("python modules missing: %s" % e)
            return 77
        run = with_apache_avro
    framed, back = run(client, topic, schema, value, kafkit)
    print(framed.hex())
    print("mode: %s" % run.__name__)
    if back != value:
        print("Confluent read kafkit's bytes as %r" % (back,))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
