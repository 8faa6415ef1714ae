"""Where the CDK app finds its inputs and puts its build products (all relative to the repository root)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CDK_JSON = REPO_ROOT / "cdk.json"
FUNCTIONS_DIR = REPO_ROOT / "functions"
COMMON_LAYER_DIR = REPO_ROOT / "layers" / "common"
LAMBDA_REQUIREMENTS = Path(__file__).resolve().parent / "lambda_requirements.txt"
# The container-image functions: the layer's pins plus the data stack, and their Dockerfile
LAMBDA_DATA_REQUIREMENTS = Path(__file__).resolve().parent / "lambda_data_requirements.txt"
IMAGE_DOCKERFILE = Path(__file__).resolve().parent / "images" / "Dockerfile"
BUILD_DIR = REPO_ROOT / ".build"
