namespace Muesli.Inference.Models;

/// <summary>What checking one file of a model against the manifest found.</summary>
public enum FileVerificationOutcome
{
    /// <summary>The file's sha256 equals the listed one.</summary>
    Verified,

    /// <summary>The file exists with the listed size (if any), but the manifest lists no sha256 to compare with.</summary>
    NoChecksumListed,

    /// <summary>The file's sha256 differs from the listed one.</summary>
    ChecksumMismatch,

    /// <summary>The file's size differs from the listed one, so it was not hashed.</summary>
    WrongSize,

    Missing,
}

/// <summary>
/// One file's verification: its path, the outcome, the size on disk (null when missing) and the sha256 computed
/// (null when the file was not hashed).
/// </summary>
public sealed record FileVerification(
    ModelFile File,
    string Path,
    FileVerificationOutcome Outcome,
    long? ActualSize,
    string? ActualSha256)
{
    public bool IsIntact => Outcome is FileVerificationOutcome.Verified or FileVerificationOutcome.NoChecksumListed;
}
