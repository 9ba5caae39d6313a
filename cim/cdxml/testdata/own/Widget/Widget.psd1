# cimsh's test module manifest: NestedModules names the CDXML file the way
# Windows' manifests do (backslashes, another case).
@{
    GUID = 'b0c0ffee-0000-4000-8000-000000000001'
    ModuleVersion = '1.2.0.0'
    <# A block
       comment. #>
    NestedModules = @(
        '.\WIDGET.cdxml',
        "Helpers.psm1"
    )
    FunctionsToExport = 'Get-Widget', 'Resize-Widget',
        'Enable-Widget'
    PrivateData = @{ PSData = @{ Tags = @('cim'; 'test') } }
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion = [version]'3.0'
}
