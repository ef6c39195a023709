"""docker-compose.yml and the Dockerfile refer to real code and real settings.

Docker is not available where the tests run, so the files are parsed and every
name in them is checked against the project: a renamed module, a removed
management command, a queue nobody consumes or an environment variable the
settings no longer read fails here, not on the first deployment.
The image's build step, CMD and HEALTHCHECK are also run for real, outside a
container, on a copy of what the build context would hold.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import urlparse

import click
import pytest
import yaml
from celery.app.control import Inspect
from celery.app.utils import find_app
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from django.core.management import CommandError, get_commands, load_command_class
from django.urls import resolve
from gunicorn.config import Config as GunicornConfig

from config import health
from config.celery import app as celery_app
from tests.config.test_settings import (
    BOOTSTRAP_NAMES,
    clean_environment,
    settings_environment_names,
    strong_secret_key,
)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

REQUIRED_SERVICES = {"migrate", "web", "worker", "beat", "postgres", "redis"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY\b|_KEY_ID\b")
REQUIRED_VARIABLE = re.compile(r"^\$\{(?P<name>[A-Z][A-Z0-9_]*):\?[^}]+\}$")


# --- Reading the files ---------------------------------------------------------------


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict[str, dict]:
    return load_compose()["services"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def dockerfile(keyword: str) -> list[str]:
    return [arguments for instruction, arguments in dockerfile_instructions() if instruction == keyword]


def dockerfile_env() -> dict[str, str]:
    values: dict[str, str] = {}
    for arguments in dockerfile("ENV"):
        for token in shlex.split(arguments):
            name, _, value = token.partition("=")
            values[name] = value
    return values


def dockerfile_cmd() -> list[str]:
    (cmd,) = dockerfile("CMD")
    return json.loads(cmd)  # exec form: no shell between Docker and gunicorn, signals reach it


def dockerfile_healthcheck() -> list[str]:
    (healthcheck,) = dockerfile("HEALTHCHECK")
    _options, _, command = healthcheck.partition("CMD ")
    return json.loads(command)


def is_django_service(service: dict) -> bool:
    """Services that run this project's image (the others are postgres and redis)."""
    return "build" in service


def service_command(service: dict) -> list[str]:
    command = service.get("command")
    if command is None:
        return dockerfile_cmd()
    return shlex.split(command) if isinstance(command, str) else list(command)


def healthcheck_command(test: list[str] | str) -> list[str]:
    if isinstance(test, str):
        return shlex.split(test)
    kind, *rest = test
    if kind == "CMD-SHELL":
        return shlex.split(rest[0].replace("$$", "$"))
    assert kind == "CMD", f"unknown healthcheck form {kind!r}"
    return rest


def effective_healthcheck(service: dict) -> list[str] | None:
    """The probe Docker would run: the service's own, else the image's HEALTHCHECK."""
    check = service.get("healthcheck")
    if check is not None:
        return None if check.get("disable") else healthcheck_command(check["test"])
    if is_django_service(service):
        return dockerfile_healthcheck()
    return None


def one_shot_services() -> set[str]:
    """Services others wait on to finish (migrate); every other service runs continuously."""
    return {
        target
        for service in services().values()
        if isinstance(service.get("depends_on"), dict)
        for target, options in service["depends_on"].items()
        if options.get("condition") == "service_completed_successfully"
    }


def restarts(service: dict) -> bool:
    return str(service.get("restart", "no")) != "no"


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} substitution, and $$."""

    def replace(match: re.Match) -> str:
        name, operator, argument = match.group("name", "operator", "argument")
        current = variables.get(name)
        if current:
            return current
        if operator == ":?":
            raise KeyError(f"{name}: {argument}")
        if operator == ":-":
            return argument
        return ""

    pattern = r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<operator>:[-?])(?P<argument>[^}]*))?\}"
    parts = value.split("$$")
    return "$".join(re.sub(pattern, replace, part) for part in parts)


# --- Checking a command line against the project --------------------------------------


def _option(argv: list[str], *names: str) -> str | None:
    for index, token in enumerate(argv):
        if token in names and index + 1 < len(argv):
            return argv[index + 1]
        for name in names:
            if name.startswith("--") and token.startswith(name + "="):
                return token.split("=", 1)[1]
    return None


def _check_manage_py(args: list[str]) -> list[str]:
    if not (ROOT / "manage.py").exists():
        return ["manage.py is missing"]
    name, *options = args or [""]
    commands = get_commands()
    if name not in commands:
        return [f"manage.py has no command {name!r}"]
    command = load_command_class(commands[name], name)
    try:
        command.create_parser("manage.py", name).parse_args(options)
    except CommandError as exc:
        return [f"manage.py {name}: {exc}"]
    return []


def _check_python(args: list[str]) -> list[str]:
    if args[:1] == ["manage.py"]:
        return _check_manage_py(args[1:])
    if args[:1] == ["-c"]:
        try:
            compile(args[1], "<command>", "exec")
        except SyntaxError as exc:
            return [f"python -c code does not compile: {exc}"]
        return []
    if args[:1] == ["-m"]:
        return [] if importlib.util.find_spec(args[1]) else [f"no module {args[1]!r}"]
    return [f"unexpected python invocation {args}"]


CELERY_GLOBAL_OPTIONS_WITH_VALUE = {
    "-A",
    "--app",
    "-b",
    "--broker",
    "--result-backend",
    "--loader",
    "--config",
    "--workdir",
}


def _check_celery(args: list[str]) -> list[str]:
    app_name = _option(args, "-A", "--app")
    if app_name is None:
        return ["celery is run without -A/--app"]
    try:
        app = find_app(app_name)
    except (ImportError, AttributeError) as exc:
        return [f"celery -A {app_name} does not find a Celery app: {exc}"]
    if app is not celery_app:
        return [f"celery -A {app_name} finds {app!r}, not config.celery.app"]
    # Global options (-A config) come before the subcommand, its own after it.
    index = 0
    while index < len(args) and args[index].startswith("-"):
        takes_value = args[index] in CELERY_GLOBAL_OPTIONS_WITH_VALUE
        index += 2 if takes_value else 1
    if index >= len(args) or args[index] not in celery_cli.commands:
        return [f"celery has no command {args[index] if index < len(args) else None!r}"]
    name, options = args[index], args[index + 1 :]
    # Parse the options as `celery` would, without running anything.
    parent = click.Context(celery_cli, obj=CLIContext(app=app, no_color=True, workdir=None, quiet=True))
    try:
        celery_cli.commands[name].make_context(name, list(options), parent=parent)
    except click.ClickException as exc:
        return [f"celery {name}: {exc.format_message()}"]
    if name == "inspect" and not callable(getattr(Inspect, options[0] if options else "", None)):
        return [f"celery inspect has no action {options[:1]}"]
    return []


def _check_gunicorn(args: list[str]) -> list[str]:
    config = GunicornConfig(prog="gunicorn")
    try:
        parsed = config.parser().parse_args(args)
    except SystemExit:
        return [f"gunicorn does not accept {args}"]
    for setting, value in vars(parsed).items():
        if value is not None and setting != "args":
            config.set(setting.lower(), value)  # raises on a bad value, as gunicorn would
    (target,) = parsed.args
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return [f"gunicorn target {target}: {exc}"]
    if not callable(getattr(module, attribute, None)):
        return [f"gunicorn target {target}: {module_name} has no callable {attribute!r}"]
    return []


def check_command(argv: list[str]) -> list[str]:
    """Problems with a command the image would run, or [] when it names real code and options."""
    program, *args = argv
    checkers = {"python": _check_python, "celery": _check_celery, "gunicorn": _check_gunicorn}
    if program not in checkers:
        return [f"no check for {program!r}; teach test_compose.check_command about it"]
    return checkers[program](args)


def test_check_command_notices_renamed_code_and_mistyped_options():
    # The checks below are only as good as this function; make sure it bites.
    assert check_command(["gunicorn", "config.wsgi:application", "--max-requests", "10"]) == []
    assert check_command(["gunicorn", "config.wsgy:application"])
    assert check_command(["gunicorn", "config.wsgi:app"])
    assert check_command(["gunicorn", "config.wsgi:application", "--max-request", "10"])
    assert check_command(["celery", "-A", "config", "worker", "--queues", "interactive"]) == []
    assert check_command(["celery", "-A", "konfig", "worker"])
    assert check_command(["celery", "-A", "config", "wroker"])
    assert check_command(["celery", "-A", "config", "worker", "--queue", "interactive"])
    assert check_command(["celery", "-A", "config", "inspect", "pong"])
    assert check_command(["python", "manage.py", "migrate", "--noinput"]) == []
    assert check_command(["python", "manage.py", "migrat"])
    assert check_command(["python", "manage.py", "migrate", "--no-input-please"])
    assert check_command(["python", "-c", "import os; print("])
    assert check_command(["uwsgi", "--http", ":8000"])


# --- Services ------------------------------------------------------------------------------


def test_every_service_rapport_needs_is_declared():
    missing = REQUIRED_SERVICES - set(services())
    assert not missing, f"docker-compose.yml lacks {sorted(missing)}"


def test_every_long_running_service_has_a_healthcheck():
    for name, service in services().items():
        if name not in one_shot_services():
            assert effective_healthcheck(service), f"service {name} runs continuously but has no healthcheck"
            assert restarts(service), f"service {name} runs continuously but is not restarted when it stops"


def test_a_service_that_replaces_the_image_command_also_replaces_its_healthcheck():
    # The image's HEALTHCHECK probes gunicorn over HTTP; a worker or beat
    # container inheriting it would be reported unhealthy forever.
    for name, service in services().items():
        if is_django_service(service) and "command" in service and name not in one_shot_services():
            assert "healthcheck" in service, f"service {name} would inherit the web HEALTHCHECK"
            assert effective_healthcheck(service) != dockerfile_healthcheck(), name


@pytest.mark.parametrize("name", sorted(name for name, s in services().items() if is_django_service(s)))
def test_every_command_names_real_code(name):
    service = services()[name]
    problems = check_command(service_command(service))
    probe = effective_healthcheck(service)
    if probe:
        problems += check_command(probe)
    assert not problems, f"service {name}: {problems}"


def test_every_queue_the_app_routes_to_has_a_worker_and_no_worker_waits_on_an_unknown_queue():
    conf = celery_app.conf
    routed = {conf.task_default_queue}
    routed |= {route["queue"] for route in (conf.task_routes or {}).values() if "queue" in route}
    routed |= {entry.get("options", {}).get("queue", conf.task_default_queue) for entry in conf.beat_schedule.values()}

    consumed: set[str] = set()
    for name, service in services().items():
        argv = service_command(service) if is_django_service(service) else []
        if argv[:1] == ["celery"] and "worker" in argv:
            queues = _option(argv, "-Q", "--queues")
            assert queues, f"service {name} runs a worker without naming its queues"
            consumed |= set(queues.split(","))
    assert routed - consumed == set(), f"tasks would pile up unconsumed on {sorted(routed - consumed)}"
    assert consumed - routed == set(), f"workers listen on queues nothing is sent to: {sorted(consumed - routed)}"


def test_exactly_one_beat_runs():
    # Two schedulers would enqueue every periodic job twice.
    beats = [
        name
        for name, service in services().items()
        if is_django_service(service)
        and service_command(service)[:2] == ["celery", "-A"]
        and "beat" in service_command(service)
    ]
    assert len(beats) == 1, beats
    assert all(
        "--beat" not in service_command(service) for service in services().values() if is_django_service(service)
    )


def test_migrations_run_once_before_anything_that_uses_the_database():
    all_services = services()
    migrate = all_services["migrate"]
    assert service_command(migrate)[:3] == ["python", "manage.py", "migrate"]
    assert "migrate" in one_shot_services()
    for name, service in all_services.items():
        if is_django_service(service) and name != "migrate":
            condition = service.get("depends_on", {}).get("migrate", {}).get("condition")
            assert condition == "service_completed_successfully", f"service {name} may start before migrations"


def test_every_dependency_exists_and_its_condition_can_be_met():
    all_services = services()
    for name, service in all_services.items():
        depends_on = service.get("depends_on", {})
        if isinstance(depends_on, list):
            depends_on = {target: {"condition": "service_started"} for target in depends_on}
        for target, options in depends_on.items():
            assert target in all_services, f"service {name} depends on {target!r}, which does not exist"
            condition = options.get("condition", "service_started")
            if condition == "service_healthy":
                assert effective_healthcheck(all_services[target]), f"{target} has no healthcheck for {name} to wait on"
            elif condition == "service_completed_successfully":
                assert not restarts(all_services[target]), f"{target} is restarted, so it never completes for {name}"
            else:
                assert condition == "service_started", f"service {name}: unknown condition {condition!r}"
        if is_django_service(service) and name != "migrate":
            for backing in ("postgres", "redis"):
                assert depends_on.get(backing, {}).get("condition") == "service_healthy", (name, backing)


def test_named_volumes_are_declared_and_keep_what_must_survive_a_restart():
    compose = load_compose()
    declared = set(compose.get("volumes") or {})
    mounts: dict[str, set[str]] = {}
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source, _, target = volume.partition(":")
            if not source.startswith((".", "/", "~")):
                assert source in declared, f"service {name} mounts undeclared volume {source!r}"
            mounts.setdefault(name, set()).add(target.split(":")[0])
    assert "/var/lib/postgresql/data" in mounts["postgres"]
    media_root = compose["services"]["web"]["environment"]["MEDIA_ROOT"]
    for name in ("web", "worker"):
        assert media_root in mounts[name], f"service {name} does not keep uploads in a volume"


# --- Environment -----------------------------------------------------------------------------


def test_every_variable_set_for_the_app_is_one_the_settings_read():
    names = settings_environment_names() | BOOTSTRAP_NAMES
    for name, service in services().items():
        if is_django_service(service):
            unknown = set(service.get("environment", {})) - names
            assert not unknown, f"service {name} sets {sorted(unknown)}, which nothing in config/settings reads"


def test_the_settings_module_named_exists():
    for name, service in services().items():
        if is_django_service(service):
            module = service["environment"]["DJANGO_SETTINGS_MODULE"]
            assert module == "config.settings.prod", f"service {name} runs with {module}"
    assert importlib.util.find_spec(dockerfile_env()["DJANGO_SETTINGS_MODULE"]) is not None


def test_secrets_are_required_variables_never_literals():
    for name, service in services().items():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), f"service {name}: write environment as a mapping"
        for variable, value in environment.items():
            if SECRET_NAME.search(variable):
                match = REQUIRED_VARIABLE.match(str(value))
                assert match, f"service {name}: {variable} must come from ${{{variable}:?...}}, not a literal"
    assert REQUIRED_VARIABLE.match(services()["web"]["environment"]["SECRET_KEY"])


def test_database_and_redis_urls_point_at_the_compose_services():
    all_services = services()
    variables = {"POSTGRES_PASSWORD": "example-password", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.com"}
    postgres_env = {k: interpolate(str(v), variables) for k, v in all_services["postgres"]["environment"].items()}
    for name, service in all_services.items():
        if not is_django_service(service):
            continue
        environment = service["environment"]
        database = urlparse(interpolate(environment["DATABASE_URL"], variables))
        assert database.scheme == "postgres"
        assert database.hostname == "postgres"
        assert all_services["postgres"]["image"].startswith("postgres:")
        assert database.username == postgres_env["POSTGRES_USER"], name
        assert database.password == postgres_env["POSTGRES_PASSWORD"], name
        assert database.path.lstrip("/") == postgres_env["POSTGRES_DB"], name
        assert "${POSTGRES_PASSWORD" in environment["DATABASE_URL"], "the password must not be written out"
        redis = urlparse(interpolate(environment["REDIS_URL"], variables))
        assert redis.scheme == "redis", name
        assert redis.hostname == "redis", name
        assert all_services["redis"]["image"].startswith("redis:")


def test_the_web_environment_passes_check_deploy(tmp_path):
    environment = services()["web"]["environment"]
    variables = {
        "SECRET_KEY": strong_secret_key(),
        "POSTGRES_PASSWORD": "example-password",
        "ALLOWED_HOSTS": "community.example.com",
    }
    values = {name: interpolate(str(value), variables) for name, value in environment.items()}
    child_env = clean_environment(**values, RAPPORT_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in result.stdout, output


def test_required_variables_fail_with_a_clear_message_when_missing():
    environment = services()["web"]["environment"]
    for variable in ("SECRET_KEY", "ALLOWED_HOSTS"):
        with pytest.raises(KeyError, match=variable):
            interpolate(environment[variable], {})
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        interpolate(environment["DATABASE_URL"], {})


# --- Dockerfile --------------------------------------------------------------------------


def test_the_image_is_python_311_slim_and_runs_as_an_unprivileged_user():
    (base,) = dockerfile("FROM")
    assert base == "python:3.11-slim"
    instructions = [keyword for keyword, _ in dockerfile_instructions()]
    users = dockerfile("USER")
    assert users
    assert users[-1] not in {"root", "0", "0:0"}
    assert instructions.index("USER") < instructions.index("CMD")


def test_no_secret_is_baked_into_the_image():
    for keyword in ("ENV", "ARG", "LABEL"):
        for arguments in dockerfile(keyword):
            assert "SECRET_KEY" not in arguments, f"{keyword} {arguments}"
    runs_with_key = [arguments for arguments in dockerfile("RUN") if "SECRET_KEY=" in arguments]
    assert len(runs_with_key) == 1
    (run,) = runs_with_key
    tokens = shlex.split(run)
    assert tokens[-3:] == ["manage.py", "collectstatic", "--noinput"], "only collectstatic gets the build key"
    key = next(token.split("=", 1)[1] for token in tokens if token.startswith("SECRET_KEY="))
    # Production settings refuse weaker keys, which would fail the build.
    assert len(key) >= 50
    assert len(set(key)) >= 5


def test_the_exposed_port_is_the_one_gunicorn_binds_and_compose_publishes():
    port = dockerfile_env()["PORT"]
    assert dockerfile("EXPOSE") == [port]
    published = [mapping.rsplit(":", 1)[-1] for mapping in services()["web"]["ports"]]
    assert published == [port]
    assert "--bind" not in dockerfile_cmd(), "gunicorn binds $PORT by default"
    assert "-b" not in dockerfile_cmd(), "gunicorn binds $PORT by default"


def test_cmd_and_healthcheck_name_real_code():
    assert check_command(dockerfile_cmd()) == []
    assert check_command(dockerfile_healthcheck()) == []
    assert not dockerfile("ENTRYPOINT"), "an ENTRYPOINT would wrap every compose command; update these tests"


def test_the_healthcheck_probes_the_liveness_view():
    code = dockerfile_healthcheck()[-1]
    paths = re.findall(r"'(/[a-z]+)'", code)
    assert paths == ["/healthz"]
    assert resolve(paths[0]).func is health.healthz


def _dockerignore_patterns() -> list[str]:
    lines = [line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "the simple matcher below does not handle exceptions"
    return patterns


def _ignored(relative: str, patterns: list[str]) -> bool:
    """Close enough to Docker's matching for the plain patterns .dockerignore uses."""
    parts = relative.split("/")
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(fnmatchcase("/".join(parts[i:]), pattern[3:]) for i in range(len(parts))):
                return True
        elif any(fnmatchcase("/".join(parts[:i]), pattern) for i in range(1, len(parts) + 1)):
            return True
    return False


def test_the_build_context_leaves_out_local_state_and_secrets_but_keeps_the_app():
    patterns = _dockerignore_patterns()
    for private in (".env", ".env.production", ".venv", "var", ".git", "staticfiles"):
        assert _ignored(private, patterns), f"{private} would be sent to the Docker build"
    for needed in ("manage.py", "requirements.txt", "config/wsgi.py", "config/settings/prod.py", "templates", "static"):
        assert not _ignored(needed, patterns), f"{needed} would be missing from the image"
    for app in ("accounts", "community", "moderation"):
        assert not _ignored(f"{app}/apps.py", patterns)


# --- The image's own commands, run for real outside Docker -------------------------------


@pytest.fixture(scope="module")
def build_context(tmp_path_factory) -> Path:
    """What `COPY . .` puts in /app, after the collectstatic step has run on it."""
    patterns = _dockerignore_patterns()
    target = tmp_path_factory.mktemp("image") / "app"
    for directory, subdirectories, files in os.walk(ROOT):
        relative_dir = Path(directory).relative_to(ROOT)
        subdirectories[:] = [d for d in subdirectories if not _ignored((relative_dir / d).as_posix(), patterns)]
        for file in files:
            relative = (relative_dir / file).as_posix()
            if not _ignored(relative, patterns):
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / relative, target / relative)

    (run,) = [arguments for arguments in dockerfile("RUN") if "collectstatic" in arguments]
    tokens = shlex.split(run)
    assignments = dict(token.split("=", 1) for token in tokens if re.match(r"^[A-Z_]+=", token))
    argv = [token for token in tokens if not re.match(r"^[A-Z_]+=", token)]
    assert argv[0] == "python"
    # As in the build: only the image's ENV and the step's own variables.
    build_env = {"PATH": os.environ["PATH"], "HOME": str(target), **dockerfile_env(), **assignments}
    result = subprocess.run(
        [sys.executable, *argv[1:]], cwd=target, env=build_env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return target


def test_the_collectstatic_build_step_works_with_production_settings(build_context):
    manifest = json.loads((build_context / "staticfiles" / "staticfiles.json").read_text(encoding="utf-8"))
    assert "css/rapport.css" in manifest["paths"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_healthcheck(env: dict[str, str]) -> subprocess.CompletedProcess:
    probe = dockerfile_healthcheck()
    assert probe[0] == "python"
    return subprocess.run(
        [sys.executable, *probe[1:]], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def test_the_image_cmd_serves_and_its_healthcheck_passes_behind_https_only_settings(build_context, tmp_path):
    port = str(_free_port())
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = dockerfile_cmd()
    assert cmd[0] == "gunicorn"
    run_env = {
        "PATH": os.environ["PATH"],
        **dockerfile_env(),
        "PORT": port,
        "WEB_CONCURRENCY": "1",
        "SECRET_KEY": strong_secret_key(),
        "ALLOWED_HOSTS": "community.example.com,.example.org",
        "RAPPORT_DATA_DIR": str(tmp_path),
    }
    if not Path("/dev/shm").is_dir():  # noqa: S108 - the image's tmpfs; mirrored only where it exists
        cmd = [token for token in cmd if token not in {"--worker-tmp-dir", "/dev/shm"}]  # noqa: S108
    server = subprocess.Popen(
        [str(gunicorn), *cmd[1:]],
        cwd=build_context,
        env=run_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, f"gunicorn exited:\n{server.stdout.read()}"
            result = _run_healthcheck(run_env)
            if result.returncode == 0:
                break
            assert time.monotonic() < deadline, f"the healthcheck never passed:\n{result.stderr}"
            time.sleep(0.5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    # And it does fail when nothing answers, so the pass above means something.
    assert _run_healthcheck(run_env).returncode != 0
