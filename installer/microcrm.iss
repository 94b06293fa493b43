; Inno Setup script for Windows: packs the PyInstaller one-folder build (dist\MicroCRM).
; Build: pyinstaller installer\microcrm.spec  then  iscc installer\microcrm.iss
#define AppVersion "0.1.0"

[Setup]
AppId={{5B0E5C3E-7C0B-4D0B-9F0E-4D6963726F43}
AppName=MicroCRM
AppVersion={#AppVersion}
AppPublisher=MicroCRM
DefaultDirName={autopf}\MicroCRM
DefaultGroupName=MicroCRM
OutputBaseFilename=MicroCRM-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesInstallIn64BitMode=x64compatible

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\dist\MicroCRM\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\MicroCRM"; Filename: "{app}\MicroCRM.exe"
Name: "{autodesktop}\MicroCRM"; Filename: "{app}\MicroCRM.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\MicroCRM.exe"; Description: "{cm:LaunchProgram,MicroCRM}"; Flags: nowait postinstall skipifsilent
