/// The JSON Schema (draft 2020-12) of `segments.json` (`SegmentsDocument`), version 1. The same text is
/// kept in the repository as `Sources/Tessera/Pipeline/segments.schema.v1.json` (a test keeps the two
/// identical) and is written beside every segments.json as `segments.schema.json`.
public enum SegmentsSchema {
    public static let version = 1
    public static let text = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://tessera.example/schemas/segments.v1.json",
  "title": "Tessera segments.json, schema version 1",
  "type": "object",
  "required": ["schema_version", "method", "k", "profiles", "interests", "segments"],
  "properties": {
    "schema_version": {"const": 1},
    "method": {"enum": ["kmeans", "nmf"]},
    "k": {"type": "integer", "minimum": 1},
    "profiles": {"type": "integer", "minimum": 0},
    "interests": {"type": "integer", "minimum": 0},
    "insight_settings": {"type": "object"},
    "similarity": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
    "map": {"type": "array", "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}},
    "merge_tree": {"type": "array", "items": {
      "type": "object", "required": ["left", "right", "distance", "size"],
      "properties": {"left": {"type": "integer"}, "right": {"type": "integer"}, "distance": {"type": "number", "minimum": 0}, "size": {"type": "integer"}}}},
    "unused_assets": {"type": "array", "items": {"type": "string"}},
    "unknown_catalog_interests": {"type": "array", "items": {
      "type": "object", "required": ["file", "line", "id", "interest"],
      "properties": {"file": {"type": "string"}, "line": {"type": "integer"}, "id": {"type": "string"}, "interest": {"type": "string"}}}},
    "segments": {"type": "array", "items": {"$ref": "#/$defs/segment"}},
    "themes": {"type": "array", "items": {
      "type": "object", "required": ["kind", "letter", "interests", "segments", "size", "share"],
      "properties": {"kind": {"enum": ["theme", "other"]}, "letter": {"type": "string"}, "interests": {"type": "array", "items": {"type": "string"}},
        "segments": {"type": "array", "items": {"type": "integer", "minimum": 0}}, "size": {"type": "integer", "minimum": 0},
        "share": {"type": "number", "minimum": 0, "maximum": 1}}}},
    "cross_segment": {
      "type": "object", "required": ["missing_assets", "partner_cover", "assets_serving_nobody", "assets_serving_many"],
      "properties": {
        "missing_assets": {"type": "array", "items": {
          "type": "object", "required": ["interest", "people", "share", "segments", "segment_people", "max_index", "partners"],
          "properties": {"interest": {"type": "string"}, "people": {"type": "integer", "minimum": 1}, "share": {"type": "number", "minimum": 0, "maximum": 1},
            "segments": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 0}},
            "segment_people": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 1}},
            "max_index": {"type": "number", "minimum": 0}, "partners": {"type": "array", "items": {"type": "string"}}}}},
        "partner_cover": {
          "type": "object", "required": ["demand_people", "covered_people", "gaps", "closed_gaps", "picks"],
          "properties": {"demand_people": {"type": "integer", "minimum": 0}, "covered_people": {"type": "integer", "minimum": 0},
            "gaps": {"type": "integer", "minimum": 0}, "closed_gaps": {"type": "integer", "minimum": 0},
            "picks": {"type": "array", "items": {
              "type": "object", "required": ["id", "name", "kind", "reach", "people", "people_alone", "cumulative_people", "covers", "gaps_closed", "segments", "picked_for"],
              "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"}, "reach": {"type": "number", "minimum": 0},
                "people": {"type": "integer", "minimum": 1}, "people_alone": {"type": "integer", "minimum": 1}, "cumulative_people": {"type": "integer", "minimum": 1},
                "covers": {"type": "array", "items": {"type": "string"}}, "gaps_closed": {"type": "array", "items": {"type": "string"}},
                "segments": {"type": "array", "items": {"type": "integer", "minimum": 0}}, "picked_for": {"type": "array", "items": {"type": "integer", "minimum": 0}}}}}}},
        "assets_serving_nobody": {"type": "array", "items": {"$ref": "#/$defs/asset_reach"}},
        "assets_serving_many": {"type": "array", "items": {"$ref": "#/$defs/asset_reach"}}
      }
    }
  },
  "$defs": {
    "asset_reach": {
      "type": "object", "required": ["id", "name", "kind", "segments", "people", "matched"],
      "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
        "segments": {"type": "array", "items": {"type": "integer", "minimum": 0}}, "people": {"type": "integer", "minimum": 0},
        "matched": {"type": "array", "items": {"type": "string"}}}
    },
    "affinity": {
      "type": "object",
      "required": ["interest", "count", "prevalence", "audience_prevalence", "index", "index_low", "index_high", "shrunk_index", "score"],
      "properties": {
        "interest": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
        "prevalence": {"type": "number", "minimum": 0, "maximum": 1}, "audience_prevalence": {"type": "number", "minimum": 0, "maximum": 1},
        "index": {"type": "number", "minimum": 0}, "index_low": {"type": "number", "minimum": 0}, "index_high": {"type": "number", "minimum": 0},
        "shrunk_index": {"type": "number", "minimum": 0}, "score": {"type": "number"}
      }
    },
    "segment": {
      "type": "object",
      "required": ["id", "size", "share", "top_interests"],
      "properties": {
        "id": {"type": "integer", "minimum": 0},
        "size": {"type": "integer", "minimum": 0},
        "share": {"type": "number", "minimum": 0, "maximum": 1},
        "top_interests": {"type": "array", "items": {"type": "object", "required": ["interest", "weight"],
          "properties": {"interest": {"type": "string"}, "weight": {"type": "number"}}}},
        "label": {"type": "string"},
        "label_evidence": {"type": "array", "items": {"$ref": "#/$defs/affinity"}},
        "distinctive_interests": {"type": "array", "items": {"$ref": "#/$defs/affinity"}},
        "tags": {"type": "array", "items": {"type": "object", "required": ["tag", "count", "share", "audience_share", "index"],
          "properties": {"tag": {"type": "string"}, "count": {"type": "integer"}, "share": {"type": "number"}, "audience_share": {"type": "number"}, "index": {"type": "number"}}}},
        "cohesion": {"type": "number"},
        "nearest_segment": {"type": "integer"},
        "nearest_similarity": {"type": "number"},
        "too_small": {"type": "boolean"},
        "stability": {"type": "number", "minimum": 0, "maximum": 1},
        "cautions": {"type": "array", "items": {"type": "string"}},
        "coverage": {"type": "number", "minimum": 0, "maximum": 1},
        "assets": {"type": "array", "items": {"type": "object", "required": ["id", "name", "kind", "matched", "demand_share"]}},
        "gaps": {"type": "array", "items": {"type": "object", "required": ["interest", "index", "demand_share"]}},
        "partners": {"type": "array", "items": {"type": "object", "required": ["id", "name", "kind", "covers", "demand_share", "reach"]}}
      }
    }
  }
}
"""#
}
