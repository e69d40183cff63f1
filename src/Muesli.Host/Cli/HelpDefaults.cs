using System.CommandLine;
using System.Text.RegularExpressions;

namespace Muesli.Host.Cli;

/// <summary>
/// Every default in help is shown once, in one place: System.CommandLine's <c>[default: …]</c> after the description.
/// An option with a value default gets it from System.CommandLine; an option whose absence means something no value
/// says (<c>--models</c>: <c>$MUESLI_MODELS</c>; <c>--out</c>: beside each file) ends its description with
/// <c>(default: …)</c>, and that is moved to the same place, in the same words. A description never says its default otherwise.
/// </summary>
public static partial class HelpDefaults
{
    public static void Apply(RootCommand root)
    {
        foreach (var option in Options(root))
        {
            if (option.Description is { } description && Said().Match(description) is { Success: true } said)
            {
                option.Description = $"{said.Groups["before"].Value}{said.Groups["after"].Value} [default: {said.Groups["value"].Value}]";
            }
        }
    }

    private static IEnumerable<Option> Options(Command command)
        => command.Options.Concat(command.Subcommands.SelectMany(Options));

    [GeneratedRegex(@"^(?<before>.*?) \(default: (?<value>[^)]*)\)(?<after>.*)$")]
    private static partial Regex Said();
}
