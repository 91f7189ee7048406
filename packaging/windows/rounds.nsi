; The Windows installer of Rounds, built on Linux by scripts/windows.sh
; (`make windows`) with Debian's makensis:
;
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DSRC=<dir> -DOUTFILE=<exe> rounds.nsi
;
; SRC holds rounds-desktop.exe (the desktop app), rounds.exe (the CLI),
; WebView2Loader.dll and icon.ico. The app cannot be called Rounds.exe:
; Windows' file names ignore case, so it would be the CLI's rounds.exe. This is Rounds' own script rather than Tauri's NSIS
; step, which downloads a helper DLL at build time (docs/desktop.md).
;
; It installs for the current user only, with no administrator rights:
; teachers on hospital PCs rarely have them. The library (the data
; directory under %APPDATA%) is never touched, by installing or by
; uninstalling: years of lesson plans must survive a reinstall.
; Run with /S it asks nothing (silent install, and silent uninstall).

Unicode true
SetCompressor /SOLID lzma
RequestExecutionLevel user
; Windows scales a DPI-unaware installer's text blurrily on the high-DPI
; laptops some teachers have.
ManifestDPIAware true

!ifndef VERSION
  !error "define VERSION, e.g. -DVERSION=0.1.0"
!endif
!ifndef SRC
  !error "define SRC, the folder holding rounds-desktop.exe, rounds.exe, WebView2Loader.dll and icon.ico"
!endif
!ifndef OUTFILE
  !define OUTFILE "Rounds-setup-${VERSION}.exe"
!endif

!define PRODUCT "Rounds"
; The Start-menu name: Chinese for the teachers, the product name so that
; typing "Rounds" in the Start menu finds it too.
!define SHORTCUT "Rounds 教学查房"
; The Tauri identifier (tauri.conf.json), used as the Uninstall key's name.
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\org.rounds.desktop"

Name "${SHORTCUT}"
OutFile "${OUTFILE}"
; Where per-user programs go on Windows 10 and 11 (a user can always write
; there); /D=<dir> on the command line overrides it.
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"

; The file properties Explorer shows. VIProductVersion must have four parts.
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "FileDescription" "${SHORTCUT} setup"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "Apache-2.0"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "WinVer.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"

!define MUI_ICON "${SRC}\icon.ico"
!define MUI_UNICON "${SRC}\icon.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\rounds-desktop.exe"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; The installer speaks the language Windows is set to: Chinese on Chinese
; Windows, English elsewhere (the first one inserted is the fallback).
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "SimpChinese"

LangString NeedsWin10 ${LANG_ENGLISH} "Rounds needs 64-bit Windows 10 or 11. Windows 7 and 8 cannot run it: current Rust programs and the WebView2 Runtime no longer support them."
LangString NeedsWin10 ${LANG_SIMPCHINESE} "Rounds 需要 64 位的 Windows 10 或 11。Windows 7 和 8 无法运行：当前的 Rust 程序和 WebView2 运行时都已不再支持它们。"
LangString KeptLibrary ${LANG_ENGLISH} "Your library (lesson plans and cases) is kept in $APPDATA\rounds; installing Rounds again opens it."
LangString KeptLibrary ${LANG_SIMPCHINESE} "您的资料库（教案和病例）保留在 $APPDATA\rounds 中；重新安装 Rounds 后即可打开。"

Function .onInit
  ; Rust's Windows targets need Windows 10 (they call ProcessPrng, which
  ; older versions lack) and the exe is x64: say so now rather than leave
  ; a program that cannot start.
  ${IfNot} ${RunningX64}
  ${OrIfNot} ${AtLeastWin10}
    MessageBox MB_OK|MB_ICONSTOP "$(NeedsWin10)" /SD IDOK
    Abort
  ${EndIf}
FunctionEnd

Section "Rounds"
  SetOutPath "$INSTDIR"
  ; Overwrites an earlier version in place; the library is elsewhere.
  File "${SRC}\rounds-desktop.exe"
  File "${SRC}\rounds.exe"
  ; The gnu build links WebView2's loader dynamically: it must sit beside
  ; rounds-desktop.exe, which finds it there before anywhere else.
  File "${SRC}\WebView2Loader.dll"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; $SMPROGRAMS is this user's Start menu: the installer runs as the user.
  CreateShortcut "$SMPROGRAMS\${SHORTCUT}.lnk" "$INSTDIR\rounds-desktop.exe" "" "$INSTDIR\rounds-desktop.exe" 0

  ; Settings > Apps lists it, for this user, with a way to uninstall.
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${SHORTCUT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Rounds"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\rounds-desktop.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
  ; Only what the installer put there, by name: a folder the teacher
  ; chose with /D may hold other files, and RMDir without /r leaves a
  ; folder that is not empty.
  Delete "$INSTDIR\rounds-desktop.exe"
  Delete "$INSTDIR\rounds.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${SHORTCUT}.lnk"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  ; The library under %APPDATA% and the webview's settings under
  ; %LOCALAPPDATA%\org.rounds.desktop stay: uninstalling a program must
  ; not delete a teacher's work.
  DetailPrint "$(KeptLibrary)"
SectionEnd
