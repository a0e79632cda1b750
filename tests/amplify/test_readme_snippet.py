"""The README's Amplify Gen 2 snippet (section "Amplify Gen 2 projects") type-checks under TypeScript ``strict``:
the block is taken from README.md as it is and compiled with ``tsc --strict --noEmit`` against the aws-amplify
types of tests/amplify/node_modules and an amplify_outputs.json shaped like the one ``npx ampx`` writes.

Needs node; the TypeScript compiler is a devDependency of tests/amplify, installed with the rest of it by
tests.real_clients (``npm ci`` once, shared with the Amplify suite). Skipped, saying why, only where node or npm
is missing or the install fails, and failed instead under CI.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from tests import real_clients

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
README = ROOT / "README.md"
OUTPUTS = ROOT / "tests" / "api" / "data" / "my-app" / "amplify_outputs.json"
SECTION = "## Amplify Gen 2 projects"
# What a Gen 2 app's tsconfig sets (Vite's and Next.js's templates): ES modules resolved as a bundler does,
# JSON imports, and no checking of the libraries' own .d.ts files (they need @types/node).
TSCONFIG = {
    "compilerOptions": {
        "target": "es2022",
        "module": "esnext",
        "moduleResolution": "bundler",
        "resolveJsonModule": True,
        "skipLibCheck": True,
    },
    "files": ["src/main.ts"],
}


def readme_snippet(heading: str = SECTION, language: str = "ts") -> str:
    """The first ```ts (or ``language``) block of the README's section ``heading``."""
    text = README.read_text(encoding="utf-8")
    assert heading in text, f"README.md has no {heading!r} section"
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    found = re.search(rf"^```{language}\n(.*?)^```$", section, re.S | re.M)
    assert found, f"the {heading!r} section of README.md has no ```{language} block"
    return found.group(1)


def tsc() -> Path:
    compiler = real_clients.node_project(HERE, "typescript") / "node_modules" / ".bin" / "tsc"
    assert compiler.exists(), "tests/amplify/package.json must list typescript as a devDependency"
    return compiler


def compile_app(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    """``source`` as an app's src/main.ts next to amplify_outputs.json, checked with tsc --strict --noEmit."""
    compiler = tsc()
    (tmp_path / "src").mkdir(parents=True)
    (tmp_path / "src" / "main.ts").write_text(source, encoding="utf-8")
    shutil.copy(OUTPUTS, tmp_path / "amplify_outputs.json")
    (tmp_path / "tsconfig.json").write_text(json.dumps(TSCONFIG), encoding="utf-8")
    (tmp_path / "node_modules").symlink_to(HERE / "node_modules", target_is_directory=True)
    return subprocess.run(
        [str(compiler), "-p", str(tmp_path / "tsconfig.json"), "--strict", "--noEmit"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_snippet_type_checks_under_strict(tmp_path: Path) -> None:
    result = compile_app(tmp_path, readme_snippet())
    assert result.returncode == 0, (
        f"tsc --strict rejects the README's snippet:\n{result.stdout}{result.stderr}"
    )


REDIRECT_SECTION = "## signInWithRedirect"


def test_the_redirect_snippets_type_check_under_strict(tmp_path: Path) -> None:
    """The signInWithRedirect section's two snippets: the oauth config (a ```js block, checked as TypeScript
    too: every key must be one Amplify knows) and the amplify_outputs.json variant that replaces the domain."""
    configure = "import { Amplify } from 'aws-amplify';\n" + readme_snippet(REDIRECT_SECTION, "js")
    assert "domain: 'localhost:9230/demo-login'" in configure
    result = compile_app(tmp_path / "js", configure)
    assert result.returncode == 0, (
        f"tsc --strict rejects the README's oauth config:\n{result.stdout}{result.stderr}"
    )
    outputs = readme_snippet(REDIRECT_SECTION, "ts")
    result = compile_app(tmp_path / "ts", outputs)
    assert result.returncode == 0, (
        f"tsc --strict rejects the README's outputs snippet:\n{result.stdout}{result.stderr}"
    )
    # A key Amplify does not know fails the check (it can fail).
    result = compile_app(tmp_path / "bad", configure.replace("redirectSignOut:", "redirectSignOutUrl:"))
    assert result.returncode != 0


def test_strict_checking_catches_the_mistakes_a_snippet_can_make(tmp_path: Path) -> None:
    """The check can fail: the snippet the README had before, which strict mode rejects."""
    before = (
        "import { Amplify } from 'aws-amplify';\n"
        "import outputs from '../amplify_outputs.json';\n"
        "Amplify.configure(outputs);\n"
        "const config = Amplify.getConfig();\n"
        "const { identityPoolId, ...cognito } = config.Auth.Cognito;\n"
        "Amplify.configure({ ...config, Auth: { ...config.Auth, Cognito: { ...cognito, "
        "userPoolEndpoint: 'http://127.0.0.1:9229' } } });\n"
    )
    result = compile_app(tmp_path, before)
    assert result.returncode != 0
    assert "error TS18048: 'config.Auth' is possibly 'undefined'." in result.stdout
