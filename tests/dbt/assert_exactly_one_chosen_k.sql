-- The k table flags exactly one k as chosen.
select count(*) as chosen_rows
from {{ ref('segmentation_k_selection') }}
where chosen
having count(*) <> 1
