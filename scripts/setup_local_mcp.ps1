#Requires -Version 5.1
# Set up the OvalEdge local MCP server from a clone on Windows: Python >= 3.12, Poetry, dependencies,
# .env, a smoke test, and its registration in the MCP clients named with -Client (or the command that registers it in each client found).
# Step-for-step mirror of scripts/setup_local_mcp.sh (macOS/Linux); keep the two in sync.
#   powershell -ExecutionPolicy Bypass -File .\scripts\setup_local_mcp.ps1         set up
#   powershell -ExecutionPolicy Bypass -File .\scripts\setup_local_mcp.ps1 -Dev    set up with the dev
#                                                      tools, then lint and run the tests
#   powershell -ExecutionPolicy Bypass -File .\scripts\setup_local_mcp.ps1 -Demo   set up, then run the
#                                                      guided demo on the sandbox OvalEdge
# Safe to run again: it only does what is missing.
param([switch]$Dev, [switch]$Demo, [switch]$Help, [string[]]$Client = @())

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$RepoRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '..')).ProviderPath
$PoetryVersion = '2.5.1'
$MirrorPlugin = 'poetry-plugin-pypi-mirror==0.6.5'

$Usage = @'
Usage: powershell -ExecutionPolicy Bypass -File .\scripts\setup_local_mcp.ps1 [-Dev | -Demo] [-Client NAME[,NAME...]] [-Help]

  (no flag)     install the server, then name the MCP clients found and how to register it
  -Dev          also install the dev tools, then run lint (ruff) and the tests (pytest)
  -Demo         then run the guided demo against the embedded sandbox OvalEdge (no account needed)
  -Client NAME  register the server in these MCP clients (comma-separated): claude-desktop,
                claude-code, cursor, vscode, windsurf, codex, gemini, kiro
  -Help         this help

Environment:
  OE_MCP_PYTHON   a Python >= 3.12 interpreter to use (otherwise one is searched for)
  POETRY_HOME     where Poetry is installed when missing (default %APPDATA%\pypoetry)
'@

function Show-Usage {
    param([switch]$ToError)
    foreach ($line in ($Usage -split "`r?`n")) {
        if ($ToError) { $Host.UI.WriteErrorLine($line) } else { Write-Host $line }
    }
}

# Arguments that are not -Dev, -Demo or -Help land in $args (this is not an advanced script).
if ($args.Count -gt 0) {
    $Host.UI.WriteErrorLine("error: unknown option '$($args[0])'")
    Show-Usage -ToError
    exit 2
}
if ($Help) {
    Show-Usage
    exit 0
}

function Write-Step {
    param([string]$Title)
    Write-Host ''
    Write-Host "==> $Title"
}

function Fail {
    # Fail <what failed> <what to do>
    param([string]$What, [string]$Fix)
    $Host.UI.WriteErrorLine('')
    $Host.UI.WriteErrorLine("FAILED: $What")
    $Host.UI.WriteErrorLine("What to do: $Fix")
    exit 1
}

function Get-EnvValue {
    # The value of an environment variable, '' when it is unset.
    param([string]$Name)
    $value = [Environment]::GetEnvironmentVariable($Name)
    if ($null -eq $value) { return '' }
    return $value
}

function Get-CommandPath {
    # Full path of an executable found on PATH (like `command -v`), '' when there is none.
    param([string]$Name)
    $cmd = Get-Command -Name $Name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -eq $cmd) { return '' }
    return [string]$cmd.Path
}

# PowerShell does not stop on a failing native command, and Windows PowerShell 5.1 can turn a
# native command's stderr into errors: every native call goes through one of these helpers, which
# run it with ErrorActionPreference 'Continue', and the caller checks $LASTEXITCODE itself.
# 127 stands for "could not be started".

function Invoke-Native {
    # Runs a native command with its output going to the console; sets $LASTEXITCODE.
    param([string]$Exe, [string[]]$Arguments = @())
    $ErrorActionPreference = 'Continue'
    $global:LASTEXITCODE = 127
    try {
        & $Exe @Arguments
    } catch {
        Write-Host $_.Exception.Message
        $global:LASTEXITCODE = 127
    }
}

function Invoke-Quiet {
    # Runs a native command with stdout and stderr discarded; returns its exit code.
    param([string]$Exe, [string[]]$Arguments = @())
    $ErrorActionPreference = 'Continue'
    $global:LASTEXITCODE = 127
    try {
        & $Exe @Arguments 2>&1 | Out-Null
    } catch {
        $global:LASTEXITCODE = 127
    }
    return $LASTEXITCODE
}

function Get-NativeOutput {
    # Runs a native command and returns its stdout lines (stderr discarded); sets $LASTEXITCODE.
    # Python is asked for UTF-8 and the console decodes UTF-8 meanwhile, so paths with non-ASCII
    # characters (e.g. in the user name) come back intact.
    param([string]$Exe, [string[]]$Arguments = @())
    $ErrorActionPreference = 'Continue'
    $lines = @()
    $savedPythonEncoding = [Environment]::GetEnvironmentVariable('PYTHONIOENCODING')
    $savedConsoleEncoding = $null
    try {
        $savedConsoleEncoding = [Console]::OutputEncoding
        [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
    } catch {
        $savedConsoleEncoding = $null
    }
    $env:PYTHONIOENCODING = 'utf-8'
    $global:LASTEXITCODE = 127
    try {
        $lines = @(& $Exe @Arguments 2>$null)
    } catch {
        $lines = @()
        $global:LASTEXITCODE = 127
    } finally {
        $env:PYTHONIOENCODING = $savedPythonEncoding
        if ($null -ne $savedConsoleEncoding) {
            try { [Console]::OutputEncoding = $savedConsoleEncoding } catch { }
        }
    }
    return $lines
}

function Test-IsFile {
    # Like [ -f path ]: $false for a missing path and for one Windows cannot parse.
    param([string]$Path)
    if ($Path -eq '') { return $false }
    try { return [bool](Test-Path -LiteralPath $Path -PathType Leaf) } catch { return $false }
}

function Select-LastLine {
    # The last non-blank line of a command's output, trimmed; '' when there is none.
    param($Lines)
    $last = ''
    foreach ($line in @($Lines)) {
        if ($null -ne $line) {
            $text = ([string]$line).Trim()
            if ($text -ne '') { $last = $text }
        }
    }
    return $last
}

Set-Location -LiteralPath $RepoRoot

Write-Step 'Checking the operating system'
$Platform = [System.Environment]::OSVersion.Platform
if ($Platform -eq [System.PlatformID]::Win32NT) {
    Write-Host "ok: Windows $([System.Environment]::OSVersion.Version)"
} else {
    Fail "unsupported OS '$Platform'" 'on macOS or Linux run: ./scripts/setup_local_mcp.sh'
}

Write-Step 'Finding Python >= 3.12'
function Test-IsPy312 {
    param([string]$Exe)
    if ($Exe -eq '') { return $false }
    $code = Invoke-Quiet $Exe @('-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)')
    return ($code -eq 0)
}
$Python = ''
$OverridePython = Get-EnvValue 'OE_MCP_PYTHON'
if ($OverridePython -ne '') {
    if (-not (Test-IsPy312 $OverridePython)) {
        Fail "OE_MCP_PYTHON='$OverridePython' is not a Python >= 3.12" 'point OE_MCP_PYTHON at the python.exe of a Python 3.12 or 3.13, or unset it (Remove-Item Env:OE_MCP_PYTHON)'
    }
    $Python = $OverridePython
} else {
    # The py launcher knows every registered install, whatever is (or is not) on PATH.
    $PyLauncher = Get-CommandPath 'py'
    if ($PyLauncher -ne '') {
        # Never let the Python install manager download a runtime while we only look.
        $savedAutoInstall = [Environment]::GetEnvironmentVariable('PYTHON_MANAGER_AUTOMATIC_INSTALL')
        $env:PYTHON_MANAGER_AUTOMATIC_INSTALL = 'false'
        foreach ($version in @('3.13', '3.12')) {
            $candidate = Select-LastLine (Get-NativeOutput $PyLauncher @("-$version", '-c', 'import sys; print(sys.executable)'))
            if ($LASTEXITCODE -eq 0 -and $candidate -ne '' -and (Test-IsPy312 $candidate)) {
                $Python = $candidate
                break
            }
        }
        $env:PYTHON_MANAGER_AUTOMATIC_INSTALL = $savedAutoInstall
    }
    if ($Python -eq '') {
        # python.exe may be the Microsoft Store stub; the version check weeds it out.
        foreach ($name in @('python', 'python3')) {
            $candidate = Get-CommandPath $name
            if ($candidate -ne '' -and (Test-IsPy312 $candidate)) {
                $Python = $candidate
                break
            }
        }
    }
}
if ($Python -eq '') {
    Fail 'no Python >= 3.12 found (tried py -3.13, py -3.12, python, python3)' 'install Python 3.12 or 3.13 (e.g. ''winget install Python.Python.3.12'', or with the Python install manager: ''py install 3.12''), or set $env:OE_MCP_PYTHON = ''C:\path\to\python.exe'''
}
# A shim or launcher resolves per call: pin the real interpreter behind it.
$ResolvedPython = Select-LastLine (Get-NativeOutput $Python @('-c', 'import sys; print(sys.executable)'))
if ($LASTEXITCODE -ne 0 -or $ResolvedPython -eq '') {
    Fail "could not get the interpreter path from $Python" 'set OE_MCP_PYTHON to the full path of a python.exe of Python 3.12 or 3.13, then run this script again'
}
$Python = $ResolvedPython
$PythonVersionText = Select-LastLine (Get-NativeOutput $Python @('--version'))
Write-Host "ok: $PythonVersionText at $Python"

Write-Step 'Pointing Poetry at the package index and CA bundle pip uses'
# Poetry ignores pip's configuration; corporate mirrors and TLS-intercepting proxies need both.
function Get-PipConfig {
    # First value of <section>.<Key> in `pip config list` (which prints key='repr of value').
    param([string]$Key)
    $pattern = '^[^ ]*\.' + [regex]::Escape($Key) + '=''(.*)''$'
    foreach ($line in @(Get-NativeOutput $Python @('-m', 'pip', 'config', 'list'))) {
        if ($null -eq $line) { continue }
        $text = ([string]$line).TrimEnd([char]13)
        if ($text -cmatch $pattern) {
            # repr() doubles backslashes, so Windows paths come back as C:\\certs\\ca.pem.
            return ($Matches[1] -replace '\\\\', '\')
        }
    }
    return ''
}
$IndexUrl = Get-EnvValue 'PIP_INDEX_URL'
if ($IndexUrl -eq '') { $IndexUrl = Get-PipConfig 'index-url' }
if ($IndexUrl -eq '') {
    $IndexUrl = Select-LastLine (Get-NativeOutput $Python @('-c', 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)'))
}
$env:POETRY_PYPI_MIRROR_URL = $IndexUrl
$CaBundle = Get-EnvValue 'PIP_CERT'
if ($CaBundle -eq '') { $CaBundle = Get-PipConfig 'cert' }
if ($CaBundle -ne '' -and (Test-IsFile $CaBundle)) {
    if ((Get-EnvValue 'REQUESTS_CA_BUNDLE') -eq '') { $env:REQUESTS_CA_BUNDLE = $CaBundle }
    if ((Get-EnvValue 'SSL_CERT_FILE') -eq '') { $env:SSL_CERT_FILE = $CaBundle }
}
$CaBundleNote = ''
if ($CaBundle -ne '') { $CaBundleNote = ", CA bundle $CaBundle" }
Write-Host "ok: index from pip's configuration$CaBundleNote"

Write-Step 'Ensuring Poetry'
$PoetryHome = Get-EnvValue 'POETRY_HOME'
if ($PoetryHome -eq '') {
    $AppData = Get-EnvValue 'APPDATA'
    if ($AppData -eq '') { $AppData = [Environment]::GetFolderPath('ApplicationData') }
    $PoetryHome = Join-Path $AppData 'pypoetry'
}
# A trailing backslash would escape the closing quote PowerShell 5.1 puts around a path with spaces.
if ($PoetryHome.Length -gt 3) { $PoetryHome = $PoetryHome.TrimEnd([char]'\') }
$env:POETRY_HOME = $PoetryHome
$PoetryInHome = Join-Path $PoetryHome 'Scripts\poetry.exe'
$Poetry = Get-CommandPath 'poetry'
if ($Poetry -eq '') {
    if (Test-IsFile $PoetryInHome) {
        $Poetry = $PoetryInHome
    } else {
        Write-Host "Poetry not found; installing Poetry $PoetryVersion into its own venv at $PoetryHome"
        Invoke-Native $Python @('-m', 'venv', $PoetryHome)
        if ($LASTEXITCODE -ne 0) {
            Fail "could not create a venv at $PoetryHome" 'read the error above, or set POETRY_HOME to a writable folder, then run this script again'
        }
        Invoke-Native (Join-Path $PoetryHome 'Scripts\pip.exe') @('install', '--quiet', "poetry==$PoetryVersion", $MirrorPlugin)
        if ($LASTEXITCODE -ne 0) {
            Fail 'pip could not install Poetry' 'check network access to your package index (pip config list), then run this script again'
        }
        $Poetry = $PoetryInHome
    }
}
# Poetry installed by this script carries the mirror plugin; a user's own Poetry may not.
$PoetryDir = Split-Path -Parent $Poetry
$PoetryPip = Join-Path $PoetryDir 'pip.exe'
if (Test-IsFile $PoetryPip) {
    $pluginCheck = Invoke-Quiet (Join-Path $PoetryDir 'python.exe') @('-c', 'import poetry_plugin_pypi_mirror')
    if ($pluginCheck -ne 0) {
        $null = Invoke-Quiet $PoetryPip @('install', '--quiet', $MirrorPlugin)
    }
}
$PoetryVersionText = Select-LastLine (Get-NativeOutput $Poetry @('--version'))
Write-Host "ok: $PoetryVersionText at $Poetry"
Write-Host "    (add $PoetryDir to the PATH your MCP client sees, or use the full path below)"

Write-Step 'Installing dependencies'
Invoke-Native $Poetry @('env', 'use', $Python) | Out-Null
if ($LASTEXITCODE -ne 0) {
    Fail "poetry could not create the project venv with $Python" "delete $RepoRoot\.venv and run this script again"
}
$InstallArgs = @('install', '--no-interaction')
if ($Dev) { $InstallArgs += @('--with', 'dev') }
Invoke-Native $Poetry -Arguments $InstallArgs
if ($LASTEXITCODE -ne 0) {
    Fail 'poetry install failed' 'read the error above; behind a proxy check ''pip config list'' for the index and CA bundle, then run this script again'
}

Write-Step 'Creating .env'
$EnvFile = Join-Path $RepoRoot '.env'
if (Test-IsFile $EnvFile) {
    Write-Host 'ok: .env already exists; left unchanged'
} else {
    try {
        Copy-Item -LiteralPath (Join-Path $RepoRoot '.env.example') -Destination $EnvFile
    } catch {
        Fail 'could not create .env from .env.example' "check that $RepoRoot\.env.example exists and the folder is writable, then run this script again"
    }
    # The counterpart of chmod 600: only the current user keeps access (inherited access removed).
    $userSid = ''
    try { $userSid = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value } catch { $userSid = '' }
    $aclCode = 1
    if ($userSid -ne '') {
        $aclCode = Invoke-Quiet 'icacls.exe' @($EnvFile, '/inheritance:r', '/grant:r', ('*{0}:(F)' -f $userSid))
    }
    if ($aclCode -ne 0) {
        Write-Host 'note: could not restrict .env to your account; it keeps the permissions of the folder'
    }
    Write-Host 'created .env from .env.example: set OVALEDGE_BASE_URL, OVALEDGE_USER_TOKEN and OVALEDGE_USER_SECRET in it'
}

Write-Step 'Smoke test'
Invoke-Native $Poetry @('run', 'oe-mcp-local', '--version')
if ($LASTEXITCODE -ne 0) {
    Fail 'the entry point does not start' "run '$Poetry install' again; if it persists, delete $RepoRoot\.venv and rerun this script"
}

if ($Dev) {
    Write-Step 'Lint (ruff)'
    Invoke-Native $Poetry @('run', 'ruff', 'check', '.')
    if ($LASTEXITCODE -ne 0) {
        Fail 'ruff found problems' "fix them, or run '$Poetry run ruff check --fix .'"
    }
    Write-Step 'Tests (pytest)'
    Invoke-Native $Poetry @('run', 'pytest')
    $status = $LASTEXITCODE
    if ($status -eq 0) {
        Write-Host 'ok: tests passed'
    } elseif ($status -eq 5) {
        Fail 'pytest collected no tests (exit 5)' 'the test suite is missing: check that tests/ exists and pytest''s testpaths'
    } else {
        Fail "tests failed (pytest exit $status)" 'read the failures above'
    }
}

Write-Step 'ready'
Write-Host "Run it by hand:   $Poetry -C `"$RepoRoot`" run oe-mcp-local"
if ($Client.Count -gt 0) {
    foreach ($name in $Client) {
        Invoke-Native $Poetry @('run', 'oe-mcp-local', 'install', $name, '--poetry', $Poetry)
        if ($LASTEXITCODE -ne 0) {
            Fail "could not register the server in $name" "read the message above; '$Poetry -C `"$RepoRoot`" run oe-mcp-local install $name --print' shows the entry to add by hand"
        }
    }
    $snippetStatus = 0
} else {
    Invoke-Native $Poetry @('run', 'python', '-m', 'supervisor.client_config', '--poetry', $Poetry)
    $snippetStatus = $LASTEXITCODE
}

if ($Demo) {
    Write-Step 'Demo: oe-mcp-local --demo, driven as an MCP client would'
    Invoke-Native $Poetry @('run', 'python', '-m', 'sandbox.demo')
    if ($LASTEXITCODE -ne 0) {
        Fail 'the demo did not complete' "read the output above; '$Poetry run oe-mcp-local check --demo' checks the basics"
    }
}
exit $snippetStatus
