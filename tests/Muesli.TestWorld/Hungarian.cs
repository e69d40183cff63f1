namespace Muesli.TestWorld;

/// <summary>The Hungarian algorithm (shortest augmenting paths with row/column potentials), O(n³).</summary>
public static class Hungarian
{
    /// <summary>
    /// The one-to-one pairing of rows with columns whose summed weight is largest; result[row] is the row's column,
    /// or −1 when there are more rows than columns and the row is left over.
    /// </summary>
    public static int[] MaximumWeightMatching(double[,] weights)
    {
        var rows = weights.GetLength(0);
        var columns = weights.GetLength(1);
        var n = Math.Max(rows, columns);
        var largest = 0.0;
        foreach (var w in weights)
        {
            largest = Math.Max(largest, w);
        }

        // Square cost matrix, 1-based; padding rows and columns cost the same everywhere, so they never steer the choice.
        var cost = new double[n + 1, n + 1];
        for (var i = 1; i <= n; i++)
        {
            for (var j = 1; j <= n; j++)
            {
                cost[i, j] = i <= rows && j <= columns ? largest - weights[i - 1, j - 1] : largest;
            }
        }

        var assignment = MinimumCostAssignment(cost, n);
        var result = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            result[i] = assignment[i + 1] <= columns ? assignment[i + 1] - 1 : -1;
        }

        return result;
    }

    /// <summary>For each row 1..n of a square cost matrix, its column 1..n in a cheapest assignment.</summary>
    private static int[] MinimumCostAssignment(double[,] cost, int n)
    {
        var rowPotential = new double[n + 1];
        var columnPotential = new double[n + 1];
        var rowOfColumn = new int[n + 1];
        var previousColumn = new int[n + 1];
        for (var row = 1; row <= n; row++)
        {
            // Column 0 is a virtual column holding the row being inserted; grow a tree of tight edges from it.
            rowOfColumn[0] = row;
            var column = 0;
            var slack = new double[n + 1];
            Array.Fill(slack, double.PositiveInfinity);
            var visited = new bool[n + 1];
            do
            {
                visited[column] = true;
                var treeRow = rowOfColumn[column];
                var delta = double.PositiveInfinity;
                var nextColumn = 0;
                for (var j = 1; j <= n; j++)
                {
                    if (visited[j])
                    {
                        continue;
                    }

                    var reduced = cost[treeRow, j] - rowPotential[treeRow] - columnPotential[j];
                    if (reduced < slack[j])
                    {
                        slack[j] = reduced;
                        previousColumn[j] = column;
                    }

                    if (slack[j] < delta)
                    {
                        delta = slack[j];
                        nextColumn = j;
                    }
                }

                for (var j = 0; j <= n; j++)
                {
                    if (visited[j])
                    {
                        rowPotential[rowOfColumn[j]] += delta;
                        columnPotential[j] -= delta;
                    }
                    else
                    {
                        slack[j] -= delta;
                    }
                }

                column = nextColumn;
            }
            while (rowOfColumn[column] != 0);

            // Flip the augmenting path back to the virtual column.
            while (column != 0)
            {
                var previous = previousColumn[column];
                rowOfColumn[column] = rowOfColumn[previous];
                column = previous;
            }
        }

        var columnOfRow = new int[n + 1];
        for (var j = 1; j <= n; j++)
        {
            columnOfRow[rowOfColumn[j]] = j;
        }

        return columnOfRow;
    }
}
