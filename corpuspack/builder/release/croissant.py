"""``croissant.json``: the output described in Croissant 1.1 (JSON-LD, MLCommons), for
tools and search engines that read it. Every Parquet file of every version is a
``cr:FileObject`` with its SHA-256; each version is a ``cr:FileSet`` (its folder) and a
``cr:RecordSet`` whose fields are the published columns, with their types (``date`` as
``sc:Date``) and descriptions from :mod:`corpuspack.schema`; the Responsible-AI fields
say how the data was collected and how its columns were derived. Written by hand, not
with `mlcroissant`, which the tests use to validate and load it."""
from __future__ import annotations

import json
import os

from ... import schema
from . import cardfields, versions

NAME = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
#: The Croissant 1.1 JSON-LD context (as ``mlcroissant`` writes it).
CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "arrayShape": "cr:arrayShape", "citeAs": "cr:citeAs",
    "column": "cr:column", "conformsTo": "dct:conformsTo", "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/", "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract", "field": "cr:field",
    "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject", "fileSet": "cr:fileSet", "format": "cr:format",
    "includes": "cr:includes", "isArray": "cr:isArray", "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath",
    "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated", "replace": "cr:replace",
    "samplingRate": "cr:samplingRate", "sc": "https://schema.org/", "separator": "cr:separator", "source": "cr:source",
    "subField": "cr:subField", "transform": "cr:transform",
}
_TYPES = {"string": "sc:Text", "large_string": "sc:Text", "date32": "sc:Date", "date64": "sc:Date",
          "int8": "cr:Int8", "int16": "cr:Int16", "int32": "cr:Int32", "int64": "cr:Int64",
          "float16": "cr:Float16", "float32": "cr:Float32", "float64": "cr:Float64", "bool": "sc:Boolean"}
PARQUET = "application/x-parquet"


def data_type(feature: dict) -> tuple[str, bool]:
    """(Croissant data type, is an array) of a `datasets` feature dict."""
    if feature.get("_type") in {"List", "Sequence", "LargeList"}:
        return data_type(feature["feature"])[0], True
    return _TYPES.get(feature.get("dtype", ""), "sc:Text"), False


def _field(rs: str, fileset: str, name: str, feature: dict) -> dict:
    dtype, is_array = data_type(feature)
    f = schema.BY_NAME.get(name)
    out = {"@type": "cr:Field", "@id": f"{rs}/{name}", "name": name,
           "description": f.description if f else "Carried over from the sidecar manifest.",
           "dataType": dtype, "source": {"fileSet": {"@id": fileset}, "extract": {"column": name}}}
    if is_array:
        out["isArray"] = True
        out["arrayShape"] = "-1"
    return out


def metadata(root: str, languages: list[str] | None = None, manifests: list[dict] | None = None) -> dict:
    """The Croissant description of every version (``languages``: the card's language codes;
    ``manifests``: the versions to describe, by default the committed ones)."""
    if manifests is None:
        manifests = versions.read_manifests(root)
    latest = manifests[-1]
    user = latest.get("card", {})
    files, sets, records = [], [], []
    seen: set[str] = set()
    for m in manifests:
        cfg = versions.config_name(m["version"])
        folder = os.path.dirname(next((f["path"] for i in m["splits"].values() for f in i["files"]), f"data/{cfg}/x"))
        for info in m["splits"].values():
            for f in info["files"]:
                if f["path"] in seen:
                    continue
                seen.add(f["path"])
                files.append({"@type": "cr:FileObject", "@id": f["path"], "name": os.path.basename(f["path"]),
                              "contentUrl": f["path"], "contentSize": f"{f['num_bytes']} B",
                              "encodingFormat": PARQUET, "sha256": f["sha256"]})
        fs = f"parquet-files-{cfg}"
        sets.append({"@type": "cr:FileSet", "@id": fs, "name": fs,
                     "description": f"The Parquet files of version {m['version']} (config {cfg}), all splits.",
                     "encodingFormat": PARQUET, "includes": f"{folder}/*.parquet"})
        records.append({"@type": "cr:RecordSet", "@id": cfg, "name": cfg,
                        "description": f"Version {m['version']}: one record per document ({m['counts']['included']} documents).",
                        "field": [_field(cfg, fs, name, feat) for name, feat in m["features"].items()]})
    lic = user.get("license")
    lic = lic[0] if isinstance(lic, list) else lic
    out = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": latest["name"],
        "description": str(user.get("description") or f"A text corpus built with corpuspack: one row per input "
                                                     f"document, cleaned, with publication metadata, language, "
                                                     "provenance and quality columns."),
        "version": latest["version"],
        "datePublished": latest["released"],
        "keywords": ["corpuspack", "text"],
        "inLanguage": languages or None,
        "license": (f"https://choosealicense.com/licenses/{lic}/" if lic and lic not in ("other", "unknown") else lic),
        "url": user.get("homepage"),
        "citeAs": cardfields.citation(latest),
        "rai:dataCollection": user.get("data_collection") or (
            f"{latest['inputs']['files']} files of a text dump, one document per file, read as they are; "
            "every file is a row or a named rejection in versions/<version>/build_report.json."),
        "rai:dataCollectionType": "Secondary Data Analysis",
        "rai:dataPreprocessingProtocol": (
            "Decoding to UTF-8, Unicode NFC, removal of invisible characters, known boilerplate and lines repeated "
            "across many documents (counted in removed_lines); exact duplicates dropped, near duplicates annotated "
            "(near_dup_cluster)."),
        "rai:dataAnnotationProtocol": (
            "No human annotation. title, date and source are extracted by rules from where they appear in the text "
            "(datelines, credit lines, markers) or from a sidecar crawl manifest, never guessed; the *_method columns "
            "say how each value was found. language is detected by CLD2 and langdetect (language_method)."),
        "rai:machineAnnotationTools": ["corpuspack " + latest["software"]["corpuspack"], "pycld2", "langdetect"],
        "distribution": files + sets,
        "recordSet": records,
    }
    return {k: v for k, v in out.items() if v is not None}


def write(root: str, languages: list[str] | None = None, manifests: list[dict] | None = None) -> str:
    path = os.path.join(root, NAME)
    versions.write_text_atomic(path, json.dumps(metadata(root, languages, manifests), ensure_ascii=False, indent=2) + "\n")
    return path

