#!/usr/bin/env python3
"""Populate a REAL MLflow tracking server (3.x, --serve-artifacts) with registered
models whose artifacts mimic what ``mlflow.transformers.save_model`` writes, for the
MLflow registry integration test. Needs only the ``mlflow`` package (no
transformers / torch / huggingface_hub).

Usage:  python mlflow_registry.py http://127.0.0.1:PORT

Creates (idempotent: existing registered models of the same names are deleted first):
  llama-ft      v1  classic  runs:/<run_id>/model   license llama3.1 (LICENSE = full text)
                    alias "champion", stage Production
  nc-model      v1  MLflow 3 models:/m-<id>         license cc-by-nc-4.0 (fallback LICENSE.txt)
  apache-model  v1  classic  runs:/<run_id>/model   license apache-2.0 (LICENSE = full text)
                v2  MLflow 3 models:/m-<id>         same; alias "prod" -> v2
  broken-model  v1  runs:/<run_id>/model of a run that has no artifacts at all

Prints a JSON summary on stdout (diagnostics go to stderr).
"""

import json
import os
import pathlib
import struct
import sys
import tempfile
import types
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.models import Model  # noqa: E402

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
TEXTS = pathlib.Path(os.environ.get("MODEL_LICENSE_TEXTS", REPO_ROOT / "license-db" / "texts"))
EXPERIMENT = "model-license-fixture"
MODEL_NAMES = ["llama-ft", "nc-model", "apache-model", "broken-model"]
TRANSFORMERS_VERSION = "4.46.3"

# Verbatim from mlflow/transformers/__init__.py (_write_license_information), 3.17.2/3.18.0.
def fallback_license_txt(model_name, declared_license):
    fallback = (
        f"A license file could not be found for the '{model_name}' repository. \n"
        "To ensure that you are in compliance with the license requirements for this "
        f"model, please visit the model repository here: https://huggingface.co/{model_name}"
    )
    return f"{fallback}\nThe declared license type is: '{declared_license}'"


def tiny_safetensors():
    header = {"__metadata__": {"format": "pt"},
              "lm_head.weight": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + struct.pack("<2f", 0.5, -0.5)


def card_data_yaml(data):
    # model_card_data.yaml = yaml.safe_dump(card.data.to_dict(), default_flow_style=False)
    import yaml
    return yaml.safe_dump(data, default_flow_style=False)


def transformers_flavor(spec):
    """Flavor dict as mlflow.transformers.flavor_config.build_flavor_config builds it."""
    conf = {
        "task": spec["task"],
        "instance_type": spec["instance_type"],
        "framework": "pt",
        "pipeline_model_type": spec["model_type"],
        "source_model_name": spec["hf_repo"],
    }
    if spec.get("torch_dtype"):
        conf["torch_dtype"] = spec["torch_dtype"]
    if spec["save_pretrained"]:
        conf["model_binary"] = "model"
        conf["tokenizer_type"] = spec["tokenizer_type"]
    else:
        conf["source_model_revision"] = spec["revision"]
        conf["tokenizer_type"] = spec["tokenizer_type"]
        conf["tokenizer_name"] = spec["hf_repo"]
        conf["tokenizer_revision"] = spec["revision"]
    conf["components"] = ["tokenizer"]
    return conf


def write_model_dir(path, mlflow_model, spec):
    """Write the transformers-style artifact tree into `path` and MLmodel from `mlflow_model`."""
    from mlflow import pyfunc

    path = pathlib.Path(path)
    path.mkdir(parents=True, exist_ok=True)
    mlflow_model.add_flavor("transformers", transformers_version=TRANSFORMERS_VERSION,
                            code=None, **transformers_flavor(spec))
    pyfunc.add_to_model(mlflow_model, loader_module="mlflow.transformers",
                        conda_env="conda.yaml", python_env="python_env.yaml", code=None,
                        model_config=None)
    if spec["save_pretrained"]:
        (path / "model").mkdir()
        (path / "model" / "config.json").write_text(json.dumps(
            {"architectures": [spec["model_type"]], "model_type": spec["config_model_type"],
             "torch_dtype": "bfloat16", "transformers_version": TRANSFORMERS_VERSION}, indent=2))
        (path / "model" / "model.safetensors").write_bytes(tiny_safetensors())
        tok = path / "components" / "tokenizer"
        tok.mkdir(parents=True)
        (tok / "tokenizer_config.json").write_text(json.dumps(
            {"tokenizer_class": spec["tokenizer_type"], "model_max_length": 131072}, indent=2))
    (path / "model_card.md").write_text(spec["card_text"], encoding="utf-8")
    (path / "model_card_data.yaml").write_text(card_data_yaml(spec["card_data"]))
    for fname, text in spec["license_files"].items():
        (path / fname).write_text(text, encoding="utf-8")
    reqs = [f"mlflow=={mlflow.__version__}", f"transformers=={TRANSFORMERS_VERSION}", "torch"]
    (path / "requirements.txt").write_text("\n".join(reqs))
    (path / "python_env.yaml").write_text(
        "python: 3.11.7\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n")
    (path / "conda.yaml").write_text(
        "channels:\n- conda-forge\ndependencies:\n- python=3.11.7\n- pip\n- pip:\n"
        + "".join(f"  - {r}\n" for r in reqs) + "name: mlflow-env\n")
    # save_model sets model_size_bytes = get_total_file_size(path) right before writing MLmodel
    mlflow_model.model_size_bytes = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    mlflow_model.save(str(path / "MLmodel"))


def log_classic(client, exp_id, run_name, spec):
    """MLflow 2 style: artifacts under the run's `model/`; source runs:/<run_id>/model."""
    run = client.create_run(exp_id, run_name=run_name)
    run_id = run.info.run_id
    with tempfile.TemporaryDirectory() as tmp:
        m = Model(artifact_path="model", run_id=run_id)
        write_model_dir(pathlib.Path(tmp) / "model", m, spec)
        client.log_artifacts(run_id, str(pathlib.Path(tmp) / "model"), artifact_path="model")
    client.set_terminated(run_id)
    return run_id, f"runs:/{run_id}/model", None


def log_mlflow3(exp_id, run_name, spec):
    """MLflow 3 style: Model.log creates a LoggedModel (m-...) with its own artifact location."""
    flavor = types.SimpleNamespace(__name__="mlflow.transformers")

    def save_model(path, mlflow_model, **_kwargs):
        write_model_dir(path, mlflow_model, spec)

    flavor.save_model = save_model
    mlflow.set_experiment(experiment_id=exp_id)
    with mlflow.start_run(run_name=run_name) as run:
        info = Model.log(artifact_path=None, flavor=flavor, name="model")
    return run.info.run_id, f"models:/{info.model_id}", info.model_id


LLAMA_CARD = """
# llama-ft

Llama 3.1 8B Instruct fine-tuned on internal support tickets.

Built with Llama.
"""
NC_CARD = """
# NLLB-200

This is the model card of NLLB-200's distilled 600M variant.
"""
APACHE_CARD = """
# Qwen2.5-0.5B-Instruct

Qwen2.5 is the latest series of Qwen large language models.
"""

SPECS = {
    "llama-ft": dict(
        task="text-generation", instance_type="TextGenerationPipeline",
        model_type="LlamaForCausalLM", config_model_type="llama",
        tokenizer_type="PreTrainedTokenizerFast", torch_dtype="torch.bfloat16",
        hf_repo="meta-llama/Llama-3.1-8B-Instruct", save_pretrained=True,
        card_text=LLAMA_CARD,
        card_data={"base_model": "meta-llama/Llama-3.1-8B-Instruct", "license": "llama3.1",
                   "library_name": "transformers", "pipeline_tag": "text-generation",
                   "language": ["en"]},
        license_files={"LICENSE": None},  # filled from license-db
    ),
    "nc-model": dict(
        task="translation", instance_type="TranslationPipeline",
        model_type="M2M100ForConditionalGeneration", config_model_type="m2m_100",
        tokenizer_type="NllbTokenizerFast", torch_dtype=None,
        hf_repo="facebook/nllb-200-distilled-600M", save_pretrained=False,
        revision="f8d333a098d19b4fd9a8b18f94170487ad3f821d",
        card_text=NC_CARD,
        card_data={"license": "cc-by-nc-4.0", "pipeline_tag": "translation",
                   "tags": ["nllb", "translation"]},
        license_files={"LICENSE.txt": fallback_license_txt("facebook/nllb-200-distilled-600M",
                                                           "cc-by-nc-4.0")},
    ),
    "apache-model": dict(
        task="text-generation", instance_type="TextGenerationPipeline",
        model_type="Qwen2ForCausalLM", config_model_type="qwen2",
        tokenizer_type="Qwen2TokenizerFast", torch_dtype="torch.bfloat16",
        hf_repo="Qwen/Qwen2.5-0.5B-Instruct", save_pretrained=True,
        card_text=APACHE_CARD,
        card_data={"base_model": "Qwen/Qwen2.5-0.5B", "license": "apache-2.0",
                   "library_name": "transformers", "pipeline_tag": "text-generation"},
        license_files={"LICENSE": None},
    ),
}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mlflow_registry.py TRACKING_URI")
    uri = sys.argv[1].rstrip("/")
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    client = MlflowClient(uri, uri)

    SPECS["llama-ft"]["license_files"]["LICENSE"] = (TEXTS / "llama3.1.txt").read_text("utf-8")
    SPECS["apache-model"]["license_files"]["LICENSE"] = (TEXTS / "apache-2.0.txt").read_text("utf-8")

    for name in MODEL_NAMES:
        try:
            client.delete_registered_model(name)
        except mlflow.exceptions.MlflowException:
            pass
    exp = client.get_experiment_by_name(EXPERIMENT)
    exp_id = exp.experiment_id if exp else client.create_experiment(EXPERIMENT)

    plan = [
        ("llama-ft", "classic", "llama-ft-train"),
        ("nc-model", "mlflow3", "nc-model-log"),
        ("apache-model", "classic", "apache-v1"),
        ("apache-model", "mlflow3", "apache-v2"),
    ]
    summary = {"tracking_uri": uri, "mlflow_version": mlflow.__version__,
               "experiment_id": exp_id, "models": {}}
    for name, style, run_name in plan:
        spec = SPECS[name]
        if style == "classic":
            run_id, source, model_id = log_classic(client, exp_id, run_name, spec)
        else:
            run_id, source, model_id = log_mlflow3(exp_id, run_name, spec)
        if name not in summary["models"]:
            client.create_registered_model(name)
            summary["models"][name] = {"license": spec["card_data"]["license"], "versions": []}
        mv = client.create_model_version(name, source, run_id=run_id, model_id=model_id)
        summary["models"][name]["versions"].append({
            "version": mv.version, "style": style, "source": mv.source, "run_id": run_id,
            "model_id": model_id,
            "download_uri": client.get_model_version_download_uri(name, mv.version),
            "license_files": sorted(spec["license_files"]),
        })

    # broken-model: source is valid for the server (run exists, run_id matches) but the run
    # has no artifacts, so model/MLmodel etc. do not exist.
    run = client.create_run(exp_id, run_name="broken-no-artifacts")
    client.set_terminated(run.info.run_id)
    client.create_registered_model("broken-model")
    src = f"runs:/{run.info.run_id}/model"
    mv = client.create_model_version("broken-model", src, run_id=run.info.run_id)
    summary["models"]["broken-model"] = {"license": None, "versions": [{
        "version": mv.version, "style": "classic-missing-artifacts", "source": mv.source,
        "run_id": run.info.run_id, "model_id": None,
        "download_uri": client.get_model_version_download_uri("broken-model", mv.version),
        "license_files": []}]}

    client.set_registered_model_alias("llama-ft", "champion", "1")
    client.set_registered_model_alias("apache-model", "prod", "2")
    summary["models"]["llama-ft"]["aliases"] = {"champion": "1"}
    summary["models"]["apache-model"]["aliases"] = {"prod": "2"}
    try:  # stages are deprecated since 2.9 but still served in 3.x
        client.transition_model_version_stage("llama-ft", "1", "Production")
        summary["models"]["llama-ft"]["stage"] = "Production"
    except Exception as e:  # pragma: no cover
        print(f"stage transition failed: {e}", file=sys.stderr)

    return summary


if __name__ == "__main__":
    import contextlib

    # mlflow writes "View run ... at: URL" lines to stdout; keep stdout pure JSON.
    with contextlib.redirect_stdout(sys.stderr):
        result = main()
    json.dump(result, sys.stdout, indent=2)
    print()
