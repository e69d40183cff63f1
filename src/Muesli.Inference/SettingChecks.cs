namespace Muesli.Inference;

/// <summary>Range checks the options records share, so a setting out of range reads the same in every engine.</summary>
internal static class SettingChecks
{
    public static void RequireSeconds(double seconds, string name)
    {
        if (!(seconds >= 0 && double.IsFinite(seconds)))
        {
            throw new ArgumentOutOfRangeException(name, seconds, "must be a finite number of seconds, zero or more");
        }
    }
}
