// Compiled by MSBuild's RoslynCodeTaskFactory (see TinyMl.Oracle.targets); not part of TinyMl.Oracle.dll.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks one version requirement of an ELF64 little-endian shared library weak (VER_FLG_WEAK in its
/// .gnu.version_r entry), after checking that only <see cref="AllowedSymbol"/> is bound to that version.
/// </summary>
public sealed class TinyMlWeakenGlibcxxRequirement : Task
{
    private const uint ShtDynsym = 11, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlagWeak = 0x2;

    [Required] public string Library { get; set; } = "";
    [Required] public string Version { get; set; } = "";
    [Required] public string AllowedSymbol { get; set; } = "";

    public override bool Execute()
    {
        try
        {
            if (!BitConverter.IsLittleEndian)
                throw new InvalidDataException("the build machine is big-endian; the patch reads little-endian fields directly");
            byte[] elf = File.ReadAllBytes(Library);
            long flagsAt;
            string outcome = Patch(elf, out flagsAt);
            if (outcome == "patched")
            {
                // A copy keeps the file's permissions; the two changed bytes go into it, then it replaces the original.
                string temporary = Library + ".patching";
                File.Copy(Library, temporary, true);
                using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write))
                {
                    stream.Position = flagsAt;
                    stream.Write(elf, (int)flagsAt, 2);
                }
                File.Replace(temporary, Library, null);
            }
            Log.LogMessage(MessageImportance.Low, $"{Library}: {Version} requirement {outcome}");
            return true;
        }
        catch (InvalidDataException e)
        {
            Log.LogError($"{Library}: cannot weaken the {Version} requirement: {e.Message}");
            return false;
        }
    }

    /// <summary>Sets the weak flag in <paramref name="elf"/>; returns "patched", "already weak" or "not required".</summary>
    private string Patch(byte[] elf, out long flagsAt)
    {
        flagsAt = -1;
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        long sectionTable = I64(elf, 0x28);
        int entrySize = U16(elf, 0x3A), count = U16(elf, 0x3C);
        if (entrySize < 64 || sectionTable <= 0 || sectionTable + (long)entrySize * count > elf.Length)
            throw new InvalidDataException("section header table out of bounds");

        int verneed = -1, versym = -1;
        for (int s = 0; s < count; s++)
        {
            uint type = U32(elf, Section(sectionTable, entrySize, s) + 4);
            if (type == ShtGnuVerneed) verneed = s;
            else if (type == ShtGnuVersym) versym = s;
        }
        if (verneed < 0 || versym < 0)
            throw new InvalidDataException("no .gnu.version_r / .gnu.version section");

        long needHeader = Section(sectionTable, entrySize, verneed);
        long needOffset = I64(elf, needHeader + 24);
        long strings = I64(elf, Section(sectionTable, entrySize, (int)U32(elf, needHeader + 40)) + 24);
        uint files = U32(elf, needHeader + 44);

        long entry = needOffset;
        for (uint f = 0; f < files; f++)
        {
            int auxCount = U16(elf, entry + 2);
            long aux = entry + U32(elf, entry + 8);
            for (int a = 0; a < auxCount; a++)
            {
                if (Text(elf, strings + U32(elf, aux + 8)) == Version)
                {
                    ushort flags = U16(elf, aux + 4);
                    if ((flags & VerFlagWeak) != 0)
                        return "already weak";
                    CheckOnlyAllowedSymbolUses(elf, sectionTable, entrySize, versym, U16(elf, aux + 6));
                    flagsAt = aux + 4;
                    byte[] weak = BitConverter.GetBytes((ushort)(flags | VerFlagWeak));
                    elf[flagsAt] = weak[0];
                    elf[flagsAt + 1] = weak[1];
                    return "patched";
                }
                aux += U32(elf, aux + 12);
            }
            entry += U32(elf, entry + 12);
        }
        return "not required";
    }

    /// <summary>Every dynamic symbol whose version index is <paramref name="versionIndex"/> must be <see cref="AllowedSymbol"/>.</summary>
    private void CheckOnlyAllowedSymbolUses(byte[] elf, long sectionTable, int entrySize, int versym, int versionIndex)
    {
        long symHeader = Section(sectionTable, entrySize, versym);
        long symVersions = I64(elf, symHeader + 24), symVersionBytes = I64(elf, symHeader + 32);
        long dynsymHeader = Section(sectionTable, entrySize, (int)U32(elf, symHeader + 40));
        if (U32(elf, dynsymHeader + 4) != ShtDynsym)
            throw new InvalidDataException(".gnu.version does not link to .dynsym");
        long symbols = I64(elf, dynsymHeader + 24);
        long names = I64(elf, Section(sectionTable, entrySize, (int)U32(elf, dynsymHeader + 40)) + 24);
        int users = 0;
        for (long i = 0; i < symVersionBytes / 2; i++)
        {
            if ((U16(elf, symVersions + 2 * i) & 0x7fff) != versionIndex) continue;
            string name = Text(elf, names + U32(elf, symbols + 24 * i));
            if (name != AllowedSymbol)
                throw new InvalidDataException($"symbol '{name}' also needs {Version}; weakening it could break that symbol");
            users++;
        }
        if (users == 0)
            throw new InvalidDataException($"no symbol is bound to {Version}; the library has changed, re-check the patch");
    }

    private static long Section(long table, int entrySize, int index) => table + (long)entrySize * index;

    private static ushort U16(byte[] b, long at) => BitConverter.ToUInt16(b, Checked(b, at, 2));
    private static uint U32(byte[] b, long at) => BitConverter.ToUInt32(b, Checked(b, at, 4));
    private static long I64(byte[] b, long at) => BitConverter.ToInt64(b, Checked(b, at, 8));

    private static int Checked(byte[] b, long at, int length) =>
        at >= 0 && at + length <= b.Length ? (int)at : throw new InvalidDataException($"read at {at} past the end ({b.Length} bytes)");

    private static string Text(byte[] b, long at)
    {
        if (at < 0 || at >= b.Length) throw new InvalidDataException($"string at {at} past the end");
        int end = Array.IndexOf(b, (byte)0, (int)at);
        if (end < 0) throw new InvalidDataException($"unterminated string at {at}");
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }
}
