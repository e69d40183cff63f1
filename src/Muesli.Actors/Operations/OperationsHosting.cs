using Akka.Cluster.Tools.Client;
using Akka.Hosting;
using Muesli.Actors.Hosting;

namespace Muesli.Actors.Operations;

/// <summary>Registers the operations registry on every node, and the console's handler where the node serves it.</summary>
public static class OperationsHosting
{
    public static AkkaConfigurationBuilder WithOperations(this AkkaConfigurationBuilder builder, MuesliNodeOptions options)
    {
        if (options.OperatorConsole)
        {
            builder.AddHocon(ClusterClientReceptionist.DefaultConfig(), HoconAddMode.Append);
        }

        return builder.WithActors((system, registry) =>
        {
            system.ActorOf(OperationsRegistry.Props(), OperationsRegistry.Name);
            if (options.OperatorConsole)
            {
                var handler = system.ActorOf(CmdHandler.Props(registry.Regions(), options.Meeting), CmdProtocol.ServicePath[(CmdProtocol.ServicePath.LastIndexOf('/') + 1)..]);
                ClusterClientReceptionist.Get(system).RegisterService(handler);
            }
        });
    }
}
