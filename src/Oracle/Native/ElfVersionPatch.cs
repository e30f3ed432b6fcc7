// Compiled twice: into TinyMl.Oracle (the ElfVersionRequirement class, for hosts whose build did not patch,
// such as notebooks) and by MSBuild's RoslynCodeTaskFactory for the build task (see build/TinyMl.Oracle.targets).
// It targets netstandard2.0 there, hence no spans.
using System;
using System.IO;
using System.Text;
#if !TINYML_ORACLE
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>The build step: weakens the requirement in the output copy of the library, writing a copy and replacing the file.</summary>
public sealed class TinyMlWeakenGlibcxxRequirement : Task
{
    [Required] public string Library { get; set; } = "";
    [Required] public string Version { get; set; } = "";
    [Required] public string AllowedSymbol { get; set; } = "";

    public override bool Execute()
    {
        try
        {
            string outcome = TinyMl.Oracle.Native.ElfVersionRequirement.WeakenFile(Library, Library, Version, AllowedSymbol);
            Log.LogMessage(MessageImportance.Low, $"{Library}: {Version} requirement {outcome}");
            return true;
        }
        catch (InvalidDataException e)
        {
            Log.LogError($"{Library}: cannot weaken the {Version} requirement: {e.Message}");
            return false;
        }
    }
}
#endif

namespace TinyMl.Oracle.Native
{
    /// <summary>
    /// Marks one version requirement of an ELF64 little-endian shared library weak (VER_FLG_WEAK in its
    /// .gnu.version_r entry), after checking that only <paramref name="allowedSymbol"/> is bound to that version.
    /// </summary>
    internal static class ElfVersionRequirement
    {
        private const uint ShtDynsym = 11, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>
        /// Writes <paramref name="target"/> as <paramref name="source"/> with the requirement weakened (a copy
        /// renamed into place; the source is never modified unless it is the target). Returns what it did.
        /// </summary>
        public static string WeakenFile(string source, string target, string version, string allowedSymbol)
        {
            if (!BitConverter.IsLittleEndian)
                throw new InvalidDataException("this machine is big-endian; the patch reads little-endian fields directly");
            byte[] elf = File.ReadAllBytes(source);
            long flagsAt;
            string outcome = Weaken(elf, version, allowedSymbol, out flagsAt);
            if (outcome != "patched")
            {
                if (source != target) File.Copy(source, target, true);
                return outcome;
            }
            // A copy keeps the file's permissions; the two changed bytes go into it, then it replaces the target.
            string temporary = target + "." + Guid.NewGuid().ToString("N") + ".patching";
            File.Copy(source, temporary, true);
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write))
            {
                stream.Position = flagsAt;
                stream.Write(elf, (int)flagsAt, 2);
            }
            if (File.Exists(target)) File.Replace(temporary, target, null);
            else File.Move(temporary, target);
            return outcome;
        }

        /// <summary>Sets the weak flag of <paramref name="version"/> in <paramref name="elf"/>; returns "patched", "already weak" or "not required".</summary>
        public static string Weaken(byte[] elf, string version, string allowedSymbol, out long flagsAt)
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
                    if (Text(elf, strings + U32(elf, aux + 8)) == version)
                    {
                        ushort flags = U16(elf, aux + 4);
                        if ((flags & VerFlagWeak) != 0)
                            return "already weak";
                        CheckOnlyAllowedSymbolUses(elf, sectionTable, entrySize, versym, U16(elf, aux + 6), version, allowedSymbol);
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

        /// <summary>Every dynamic symbol whose version index is <paramref name="versionIndex"/> must be <paramref name="allowedSymbol"/>.</summary>
        private static void CheckOnlyAllowedSymbolUses(byte[] elf, long sectionTable, int entrySize, int versym, int versionIndex, string version, string allowedSymbol)
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
                if (name != allowedSymbol)
                    throw new InvalidDataException($"symbol '{name}' also needs {version}; weakening it could break that symbol");
                users++;
            }
            if (users == 0)
                throw new InvalidDataException($"no symbol is bound to {version}; the library has changed, re-check the patch");
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
}
